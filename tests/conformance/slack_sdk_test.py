"""The Slack emulator agrees with Slack's official Python SDK (issue 6).

`slack_sdk.WebClient`, pointed at zhost (ZHOST_URL), posts with metadata, follows
`response_metadata.next_cursor` through short pages with its own paginator, reads a thread, and
receives Slack's errors as `SlackApiError` with the response Slack documents: `missing_scope` with
`needed`/`provided` is exercised by the Rust tests; here `channel_not_found`, an unknown method and
the 429 with `Retry-After`.

Run by `cargo xtask test` (step "client conformance"); exits non-zero on a failure.
"""

import unittest

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from common import ZHOST, main, reset, world


class SlackSdkConformance(unittest.TestCase):
    def setUp(self):
        reset()
        w = world()
        self.channel = w["settings"]["slack_channel_id"]
        self.client = WebClient(token=w["settings"]["slack_bot_token"], base_url=ZHOST + "/slack/api/")

    def test_post_page_and_read_a_thread(self):
        me = self.client.auth_test()
        self.assertTrue(me["user_id"].startswith("U"))
        root = self.client.chat_postMessage(
            channel=self.channel,
            text="conformance root",
            metadata={"event_type": "conformance", "event_payload": {"n": 1}},
        )
        reply = self.client.chat_postMessage(channel=self.channel, text="reply", thread_ts=root["ts"])
        self.assertEqual(reply["message"]["thread_ts"], root["ts"])
        seen = []
        for page in self.client.conversations_history(channel=self.channel, limit=2, include_all_metadata=True):
            seen.extend(page["messages"])
        everything = self.client.conversations_history(channel=self.channel, limit=999)["messages"]
        self.assertEqual(len(seen), len(everything), "the SDK's paginator read every page")
        mine = next(m for m in seen if m["ts"] == root["ts"])
        self.assertEqual(mine["metadata"]["event_type"], "conformance")
        self.assertEqual(mine["reply_users"], [me["user_id"]])
        thread = self.client.conversations_replies(channel=self.channel, ts=root["ts"])
        self.assertEqual([m["ts"] for m in thread["messages"]], [root["ts"], reply["ts"]])

    def test_errors_as_the_sdk_documents_them(self):
        with self.assertRaises(SlackApiError) as e:
            self.client.chat_postMessage(channel="C0NOSUCHCHAN", text="x")
        self.assertEqual(e.exception.response["error"], "channel_not_found")
        with self.assertRaises(SlackApiError) as e:
            self.client.api_call("chat.nonsense")
        self.assertEqual(e.exception.response.status_code, 404)
        self.assertEqual(e.exception.response["req_method"], "chat.nonsense")
        limited = None
        for i in range(8):
            try:
                self.client.chat_postMessage(channel=self.channel, text=f"burst {i}")
            except SlackApiError as err:
                limited = err
                break
        self.assertIsNotNone(limited, "a burst meets the per-channel rate limit")
        self.assertEqual(limited.response.status_code, 429)
        self.assertEqual(limited.response["error"], "ratelimited")
        self.assertGreaterEqual(int(limited.response.headers["retry-after"]), 1)


if __name__ == "__main__":
    main()
