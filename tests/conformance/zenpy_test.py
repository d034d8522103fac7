"""The Zendesk emulator agrees with zenpy, a widely used Python Zendesk client (issue 6).

zenpy builds `https://<subdomain>.zendesk.com/api/v2/...` URLs; a requests adapter sends them to
zhost (ZHOST_URL) instead, changing nothing else. zenpy then reads a ticket, adds internal notes,
and pages the comments to the end by following `next_page` (absolute, on the host that was
called: as Zendesk's). Run by `cargo xtask test` (step "end-to-end tests").
"""

import unittest

import requests
from requests.adapters import HTTPAdapter
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment

from common import ZHOST, main, reset, world


class ToZhost(HTTPAdapter):
    """Sends https://<subdomain>.zendesk.com/... to the local host, as if it were that host:
    the `Host` header stays the account's (so the emulator's links name it), and the answer
    carries the URL zenpy asked for (zenpy picks its response handler by URL)."""

    def __init__(self, origin):
        super().__init__()
        self.origin = origin

    def send(self, request, **kwargs):
        asked = request.url
        request.url = asked.replace(self.origin, ZHOST, 1)
        request.headers["Host"] = self.origin.split("://", 1)[1]
        response = super().send(request, **kwargs)
        request.url = asked
        response.url = asked
        return response


class ZenpyConformance(unittest.TestCase):
    def setUp(self):
        reset()
        w = world()
        subdomain = w["account"]["subdomain"]
        agent = next(u for u in w["zendesk"]["users"] if u["id"] == w["agents"][0])
        session = requests.Session()
        session.mount(f"https://{subdomain}.zendesk.com", ToZhost(f"https://{subdomain}.zendesk.com"))
        self.client = Zenpy(subdomain=subdomain, email=agent["email"], token="x", session=session)

    def test_ticket_notes_and_paged_comments(self):
        ticket = self.client.tickets(id=201)
        self.assertEqual(ticket.id, 201)
        for i in range(105):
            ticket.comment = Comment(body=f"update {i}", public=False)
            self.client.tickets.update(ticket)
        bodies = [c.body for c in self.client.tickets.comments(ticket=201)]
        self.assertIn("update 0", bodies)
        self.assertIn("update 104", bodies)
        self.assertGreater(len(bodies), 100, "more than one page, followed to the end")


if __name__ == "__main__":
    main()
