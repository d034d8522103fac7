//! The ping's claim: a ticket tag that serialises agents (and tabs) through Zendesk before anyone
//! posts to Slack (CONTRACTS.md §8, ARCHITECTURE.md "Exactly once").
//!
//! `ase_ping_claim_<unix seconds>_<agent id>_<nonce>`, added with a safe update. Zendesk applies
//! updates one at a time and answers each with the ticket as that update left it, so the tags in
//! the answer to a claim hold every claim written before it and none written after. A claim wins
//! when that answer holds no other live claim: of two claims written in the same second (whose
//! stamps Zendesk cannot tell apart, so both safe updates pass), the second sees the first and
//! yields; the first never sees the second.
//!
//! A claim is live for [`TTL_MS`] after its time; its owner stops posting [`POST_MARGIN_MS`]
//! before that, so a taker (who removes the stale tag in its own claim and reads Slack before
//! posting) never races a slow owner unless their clocks differ by more than the margin.
//!
//! Invariant: parsing tags never fails; a tag that is not a well-formed claim is not a claim.

use super::text::whole_number;

/// Every claim tag starts with this.
pub const TAG_PREFIX: &str = "ase_ping_claim_";

/// How long a claim holds: after this, another agent may take the ping over.
pub const TTL_MS: i64 = 120_000;

/// How long before the end of its claim an owner stops posting.
pub const POST_MARGIN_MS: i64 = 30_000;

/// One claim, read from its tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub tag: String,
    /// The claimant's clock when it claimed, in ms (second precision).
    pub at_ms: i64,
    /// Zendesk user id of the claimant.
    pub agent: u64,
}

impl Claim {
    /// Whether the claim still holds at `now_ms`. A claim dated more than its lifetime ahead
    /// of `now_ms` is no clock's skew but a bad tag: it holds nothing (and is stale), so it can
    /// never block the ping for ever.
    pub fn is_live(&self, now_ms: i64) -> bool {
        now_ms < self.at_ms.saturating_add(TTL_MS) && self.at_ms < now_ms.saturating_add(TTL_MS)
    }
}

/// The tag of a claim by `agent` at `now_ms`; `nonce` tells two tabs of one agent apart.
pub fn tag(now_ms: i64, agent: u64, nonce: &str) -> String {
    format!(
        "{TAG_PREFIX}{}_{}_{nonce}",
        super::text::signed(now_ms.div_euclid(1000)),
        super::text::digits(agent, 0)
    )
}

/// The claim a tag stands for, if it is one.
pub fn parse(tag: &str) -> Option<Claim> {
    let mut parts = tag.strip_prefix(TAG_PREFIX)?.split('_');
    let secs = whole_number(parts.next()?)?;
    let agent = whole_number(parts.next()?)?;
    let nonce = parts.next()?;
    let well_formed = !nonce.is_empty()
        && nonce.bytes().all(|b| b.is_ascii_alphanumeric())
        && parts.next().is_none();
    well_formed.then(|| Claim {
        tag: tag.to_string(),
        at_ms: i64::try_from(secs)
            .unwrap_or(i64::MAX / 2)
            .saturating_mul(1000),
        agent,
    })
}

/// The oldest live claim among `tags` other than the tag `mine`.
pub fn other_live(tags: &[String], mine: &str, now_ms: i64) -> Option<Claim> {
    // A loop: a `filter_map`/`min_by_key` chain here was a 0.4 KB fold in the bundle.
    let mut oldest: Option<Claim> = None;
    for tag in tags.iter().filter(|t| *t != mine) {
        let Some(claim) = parse(tag).filter(|c| c.is_live(now_ms)) else {
            continue;
        };
        // The first of equally old claims wins, as with `min_by_key`.
        if oldest.as_ref().is_none_or(|o| claim.at_ms < o.at_ms) {
            oldest = Some(claim);
        }
    }
    oldest
}

/// The claim tags among `tags` that no longer hold at `now_ms` (a taker removes them).
pub fn stale(tags: &[String], now_ms: i64) -> Vec<String> {
    let mut stale = Vec::new();
    for tag in tags {
        if parse(tag).is_some_and(|c| !c.is_live(now_ms)) {
            stale.push(tag.clone());
        }
    }
    stale
}
