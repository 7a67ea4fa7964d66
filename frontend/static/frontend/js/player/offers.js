// Pure helpers of the negotiation board (no DOM, no server; tested with node --test): the one
// informed step before accepting an offer, what a counter changes, and an offer's version.

// How long the preview must have been on screen before "Accept" acts: a tap that lands on
// it in the same gesture as the tap that asked (a fast double tap) does nothing.
export const ARM_MS = 600;

// The informed accept: idle -> checking (the server's preview of this offer version asked)
// -> shown (on screen; painted at `shownAt`) -> accepting. `key` names the offer version the
// preview is for; an answer for an older ask or version is dropped.
export function initialCheck() {
  return { step: "idle", key: null, ticket: 0, preview: null, error: null, shownAt: null };
}

export function checkReducer(state, action) {
  switch (action.type) {
    case "ask":
      // A second tap while the same version is being checked asks nothing more.
      if (state.step === "checking" && state.key === action.key) return state;
      return { ...initialCheck(), step: "checking", key: action.key, ticket: state.ticket + 1 };
    case "answer":
      if (state.step !== "checking" || action.ticket !== state.ticket || action.key !== state.key) return state;
      if (action.error) return { ...state, step: "failed", error: action.error };
      return { ...state, step: "shown", preview: action.preview, shownAt: null };
    case "painted":
      if (state.step !== "shown" || state.shownAt !== null) return state;
      return { ...state, shownAt: action.at };
    case "accepting":
      return state.step === "shown" ? { ...state, step: "accepting" } : state;
    case "refused":
      return state.step === "accepting" ? { ...state, step: "shown" } : state;
    case "cancel":
      return { ...initialCheck(), ticket: state.ticket };
    default:
      return state;
  }
}

// May a tap on "Accept" act now? Only on the preview of this very version, once it has
// been on screen for ARM_MS.
export function mayAccept(state, key, now) {
  return state.step === "shown" && state.key === key && state.shownAt !== null && now - state.shownAt >= ARM_MS;
}

// What the preview of accepting `offer` depends on: the offer's own state, the round, the
// standing decisions and the accepted offers (which may meet a red line's conditions).
export function offerVersion(view, offer) {
  const accepted = (view.offers || []).filter((item) => item.status === "accepted").map((item) => item.id);
  return JSON.stringify([
    offer.id,
    offer.status,
    offer.accepted_by || [],
    view.round,
    view.phase,
    view.standing_decisions || null,
    accepted,
  ]);
}

// What a counter changes from the offer it answers: terms matched by who commits and on
// which lever (in order, when one lever has several), each changed, added or removed.
export function termDiff(original, counter) {
  const slot = (term) => `${term.by}\u0000${term.lever}`;
  const pool = new Map();
  for (const term of original) {
    const list = pool.get(slot(term)) || [];
    list.push(term);
    pool.set(slot(term), list);
  }
  const changes = [];
  for (const term of counter) {
    const list = pool.get(slot(term));
    const before = list && list.shift();
    if (!before) changes.push({ kind: "added", term });
    else if (before.op !== term.op || before.value !== term.value || before.duration !== term.duration) {
      changes.push({ kind: "changed", before, term });
    }
  }
  for (const list of pool.values()) for (const term of list) changes.push({ kind: "removed", term });
  return changes;
}

// Who an offer is to, compared: addressees added and dropped by a counter (parties as a
// whole, since a counter may come from an addressee).
export function partyDiff(original, counter) {
  const before = new Set([original.proposer, ...original.to]);
  const after = new Set([counter.proposer, ...counter.to]);
  return {
    added: [...after].filter((code) => !before.has(code)),
    removed: [...before].filter((code) => !after.has(code)),
  };
}
