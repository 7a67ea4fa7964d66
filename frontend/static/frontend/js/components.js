// Panels shared by the player table, the facilitator console and the projector. Each is a
// pure rendering of the server's view (plus what the user is typing); none decides a rule.
import * as fmt from "./format.js";
import { html, useEffect, useState } from "./html.js";
import { t } from "./i18n.js";

// -- hooks ---------------------------------------------------------------------------------

export function useStore(store) {
  const [state, setState] = useState(store.get());
  useEffect(() => store.subscribe(setState), [store]);
  return state;
}

export function useNow(intervalMs = 1000) {
  const [now, setNow] = useState(Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

// A command with its own pending flag and the server's refusal, shown next to the control.
export function useCommand(socket) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (type, payload) => {
    setBusy(true);
    setError(null);
    try {
      return await socket.command(type, payload);
    } catch (refused) {
      setError(refused.message || t("The server refused this."));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}

// -- lookups in the view (presentation only) ----------------------------------------------

export function roleOf(view, code) {
  return (view.scenario.roles || []).find((role) => role.code === code) || { code, name: code };
}

export function roleName(view, code) {
  if (code === "facilitator") return t("Facilitator");
  return roleOf(view, code).name;
}

export function leverOf(view, key) {
  return (view.scenario.levers || []).find((lever) => lever.key === key) || { key, label: key };
}

export function leversHeldBy(view, code) {
  return (view.scenario.levers || []).filter((lever) => lever.holders && code in lever.holders);
}

export function roleCodes(view) {
  return (view.scenario.roles || []).map((role) => role.code);
}

// -- small pieces --------------------------------------------------------------------------

// Scenario texts are Markdown written by instructors: paragraphs, "- " lists (items may run
// over several lines), headings, **bold** and *italics* are rendered; everything else is
// shown as text (never as HTML).
export function Text({ text, className = "" }) {
  if (!text) return null;
  return html`<div class=${`prose ${className}`}>${markdownBlocks(String(text))}</div>`;
}

function markdownBlocks(text) {
  const blocks = [];
  let paragraph = [];
  let items = null;
  const flushParagraph = () => {
    if (paragraph.length) blocks.push(html`<p>${inline(paragraph.join(" "))}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (items) blocks.push(html`<ul>${items.map((item) => html`<li>${inline(item)}</li>`)}</ul>`);
    items = null;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const bullet = line.match(/^[-*] +(.*)$/);
    const heading = line.match(/^#+\s+(.*)$/);
    if (!line) {
      flushParagraph();
      flushList();
    } else if (heading) {
      flushParagraph();
      flushList();
      blocks.push(html`<h4>${inline(heading[1])}</h4>`);
    } else if (bullet) {
      flushParagraph();
      items = items || [];
      items.push(bullet[1]);
    } else if (items) {
      items[items.length - 1] += ` ${line}`;
    } else {
      paragraph.push(line);
    }
  }
  flushParagraph();
  flushList();
  return blocks;
}

function inline(text) {
  return text.split(/(\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/).map((part) => {
    if (/^\*\*[^*]+\*\*$/.test(part)) return html`<strong>${part.slice(2, -2)}</strong>`;
    if (/^\*[^*\s][^*]*\*$/.test(part)) return html`<em>${part.slice(1, -1)}</em>`;
    return part;
  });
}

export function ErrorText({ error }) {
  return error ? html`<p class="error" role="alert">${error}</p>` : null;
}

export function TeamBadge({ view, code }) {
  const role = roleOf(view, code);
  return html`<span class="team-badge">
    <span class="swatch" style=${`background:${role.color || "#888"}`} aria-hidden="true"></span>
    ${role.name} <span class="code">(${code})</span>
  </span>`;
}

export function TermText({ view, term }) {
  const lever = leverOf(view, term.lever);
  const duration = term.duration === "game" ? t("every round from now on") : t("this round");
  return html`<span class="term">
    <strong>${roleName(view, term.by)}</strong>: ${lever.label} ${fmt.opLabel(term.op)}
    ${" "}<strong>${fmt.withUnit(term.value, lever)}</strong>
    ${term.duration ? html` <span class="muted">(${duration})</span>` : null}
  </span>`;
}

export function ConnectionBanner({ connection, closedReason }) {
  if (connection === "open") return null;
  const messages = {
    connecting: t("Connecting to the game…"),
    offline: t("Connection lost. Reconnecting… (what you are typing is kept)"),
    closed:
      closedReason === "removed"
        ? t("The facilitator removed you from this game.")
        : closedReason === "unauthenticated"
          ? t("This browser no longer holds a seat in this game. Join again.")
          : closedReason === "unknown game"
            ? t("There is no game with this code.")
            : closedReason === "too many sockets"
              ? t("This game is open in too many tabs or windows. Close the others and reload this page.")
              : closedReason === "link replaced"
                ? t("This link has been replaced; ask the facilitator for the new one.")
                : t("Disconnected."),
  };
  return html`<div class=${`banner banner-${connection}`} role="status" aria-live="polite">
    ${messages[connection]}
  </div>`;
}

export function PhaseSteps({ view }) {
  if (view.status !== "running") return null;
  return html`<ol class="phase-steps" aria-label=${t("Phases of this round")}>
    ${fmt.PHASES.map(
      (phase) => html`<li
        class=${phase === view.phase ? "current" : ""}
        aria-current=${phase === view.phase ? "step" : null}
      >
        ${fmt.phaseLabel(phase)}
      </li>`,
    )}
  </ol>`;
}

export function Countdown({ view, large = false }) {
  const now = useNow();
  const { seconds, paused } = fmt.countdown(view, now);
  if (view.status !== "running") return null;
  const label = paused
    ? t("Paused — %(time)s left", { time: fmt.clock(seconds) })
    : seconds === null
      ? t("No timer: the facilitator advances")
      : t("%(time)s left", { time: fmt.clock(seconds) });
  const urgent = !paused && seconds !== null && seconds <= 30;
  return html`<p
    class=${`countdown ${large ? "large" : ""} ${paused ? "paused" : ""} ${urgent ? "urgent" : ""} ${seconds === null && !paused ? "untimed" : ""}`}
    role="timer"
    aria-live="off"
  >
    ${label}
  </p>`;
}

export function GameHeader({ view, you, extra = null, showCountdown = true }) {
  const status =
    view.status === "lobby"
      ? t("Waiting in the lobby")
      : view.status === "ended"
        ? t("The game has ended")
        : t("Round %(round)s of %(total)s · %(phase)s", {
            round: view.round,
            total: view.rounds_total,
            phase: fmt.phaseLabel(view.phase),
          });
  return html`<header class="game-header">
    <div class="title-row">
      <h1>${view.scenario.title}</h1>
      ${you && you.role ? html`<${TeamBadge} view=${view} code=${you.role} />` : null}
      ${extra}
    </div>
    <div class="status-row">
      <p class="status">${status}</p>
      ${showCountdown ? html`<${Countdown} view=${view} />` : null}
    </div>
    <${PhaseSteps} view=${view} />
  </header>`;
}

// -- what just happened ----------------------------------------------------------------------

export function offerStatusLabel(status) {
  return (
    {
      open: t("open"),
      accepted: t("accepted"),
      rejected: t("rejected"),
      withdrawn: t("withdrawn"),
      countered: t("countered"),
      expired: t("expired"),
    }[status] || status
  );
}

function teams(view, codes) {
  return codes.map((code) => roleName(view, code)).join(", ");
}

// What the notice of `event` says, from the side of the team `role` (null: a facilitator or
// the room); null when there is nothing to say.
export function noticeText(view, event, role = null) {
  const data = event.data || {};
  const offer = (view.offers || []).find((item) => item.id === data.offer);
  switch (event.kind) {
    case "inject_published":
      return t("New inject: %(title)s", { title: data.title });
    case "red_line_revealed": {
      const lever = data.line && data.line.lever ? leverOf(view, data.line.lever).label : null;
      const what = lever ? t("a red line on %(lever)s", { lever }) : t("a red line");
      if (data.owner === role) {
        return data.to === "all"
          ? t("You revealed %(what)s to everyone", { what })
          : t("You revealed %(what)s to %(teams)s", { what, teams: teams(view, data.to) });
      }
      const team = roleName(view, data.owner);
      if (data.to === "all") return t("%(team)s revealed %(what)s to everyone", { team, what });
      return role
        ? t("%(team)s revealed %(what)s to you", { team, what })
        : t("%(team)s revealed %(what)s to %(teams)s", { team, what, teams: teams(view, data.to) });
    }
    case "round_scored":
      return t("Round %(round)s has been scored", { round: data.round });
    case "game_paused":
      return t("The facilitator paused the game");
    case "game_resumed":
      return t("The game goes on");
    case "game_ended":
      return t("The game has ended: the debrief is open");
    case "offer_proposed":
      return data.offer.counter_of
        ? t("%(team)s sent you a counter-offer %(id)s to %(original)s", {
            team: roleName(view, data.offer.proposer), id: data.offer.id, original: data.offer.counter_of,
          })
        : t("%(team)s sent you offer %(id)s", { team: roleName(view, data.offer.proposer), id: data.offer.id });
    case "offer_accepted":
      return offer && offer.proposer === role
        ? t("Your offer %(id)s was accepted: it binds every party", { id: data.offer })
        : t("Offer %(id)s from %(team)s is agreed: it binds every party", {
            id: data.offer, team: offer ? roleName(view, offer.proposer) : "",
          });
    case "offer_accepted_by":
      return t("%(team)s accepted your offer %(id)s; the others have yet to answer", {
        team: roleName(view, data.role), id: data.offer,
      });
    case "offer_rejected": {
      const text = t("%(team)s rejected your offer %(id)s", { team: roleName(view, data.role), id: data.offer });
      return data.reason ? `${text}: “${data.reason}”` : text;
    }
    case "offer_countered": {
      const counter = (view.offers || []).find((item) => item.counter_of === data.offer && item.proposer === data.by);
      return counter
        ? t("%(team)s countered your offer %(id)s with %(counter)s", { team: roleName(view, data.by), id: data.offer, counter: counter.id })
        : t("%(team)s countered your offer %(id)s", { team: roleName(view, data.by), id: data.offer });
    }
    case "offer_expired":
      return t("Your offer %(id)s expired at the end of the negotiation", { id: data.offer });
    default:
      return null;
  }
}

// The latest event worth knowing about, announced politely to screen readers too, until it
// is dismissed (the full details are in their tab).
export function LatestNotice({ state, view }) {
  const [dismissed, setDismissed] = useState(0);
  const latest = state.notices[state.notices.length - 1];
  const text = latest && latest.seq > dismissed ? noticeText(view, latest) : null;
  return html`<div class="notice-slot" aria-live="polite">
    ${text
      ? html`<p class="notice">${text}${" "}<button type="button" class="link"
          onClick=${() => setDismissed(latest.seq)}>${t("Dismiss")}</button></p>`
      : null}
  </div>`;
}

// -- injects -----------------------------------------------------------------------------------

export function InjectList({ view, role }) {
  const injects = view.injects || [];
  if (!injects.length) return html`<p class="muted">${t("No injects yet.")}</p>`;
  return html`<ul class="cards">
    ${[...injects].reverse().map((inject) => {
      const mine = (inject.effects || []).filter((effect) => !role || effect.role === role);
      return html`<li class="card inject">
        <h4>${inject.title} <span class="muted">· ${t("round %(round)s", { round: inject.round })}</span></h4>
        <${Text} text=${inject.body} />
        ${mine.length
          ? html`<ul class="effects">
              ${mine.map(
                (effect) =>
                  html`<li>
                    ${role ? "" : `${roleName(view, effect.role)}: `}${t(
                      "Cost of moving %(lever)s × %(multiplier)s from now on",
                      {
                        lever: leverOf(view, effect.lever).label,
                        multiplier: fmt.number(effect.cost_multiplier),
                      },
                    )}
                  </li>`,
              )}
            </ul>`
          : null}
      </li>`;
    })}
  </ul>`;
}

// -- red lines ---------------------------------------------------------------------------------

export function RedLineText({ view, line }) {
  const lever = leverOf(view, line.lever);
  const direction =
    line.kind === "floor" ? t("will not go below") : t("will not go above");
  return html`<div class="red-line-text">
    <p>
      <strong>${roleName(view, line.role)}</strong> · ${lever.label}${": "}${direction}${line.value !== undefined
        ? html` <strong>${fmt.withUnit(line.value, lever)}</strong>`
        : html` <em>${t("(value not revealed)")}</em>`}
    </p>
    ${line.statement ? html`<blockquote>${line.statement}</blockquote>` : null}
    ${line.unless && line.unless.length
      ? html`<p class="unless">
          ${t("Lifted if")}${": "}
          ${line.unless.map(
            (condition, index) => html`${index ? html` ${t("and")} ` : null}<${TermText}
                view=${view}
                term=${condition.role ? { ...condition, by: condition.role } : condition}
              />`,
          )}
        </p>`
      : null}
    ${line.penalty !== undefined
      ? html`<p class="muted">${t("Penalty if breached: %(points)s points", { points: fmt.number(line.penalty) })}</p>`
      : null}
  </div>`;
}

export function KnownBy({ view, line }) {
  if (!line.known_by) return null;
  const entries = Object.entries(line.known_by);
  return html`<p class="known-by">
    ${t("Known by")}${":"}
    ${entries.map(
      ([code, level], index) => html`${index ? ", " : " "}${roleName(view, code)}${" "}<span
          class=${`level level-${level || "none"}`}
        >
          ${level === "full" ? t("in full") : level === "existence" ? t("its existence") : t("not at all")}
        </span>`,
    )}
  </p>`;
}

// -- presence ---------------------------------------------------------------------------------------

export function TeamsPresence({ view, presence }) {
  const codes = roleCodes(view);
  return html`<ul class="teams">
    ${codes.map((code) => {
      const seated = (view.players && view.players[code]) || [];
      const online = presence && presence.teams ? presence.teams[code] || [] : [];
      const onlineNames = new Set(online.map((item) => item.name));
      return html`<li class="card team">
        <h3><${TeamBadge} view=${view} code=${code} /></h3>
        ${seated.length
          ? html`<ul>
              ${seated.map(
                (name) => html`<li>
                  ${name}
                  ${onlineNames.has(name)
                    ? html` <span class="online">● ${t("online")}</span>`
                    : html` <span class="offline">○ ${t("offline")}</span>`}
                </li>`,
              )}
            </ul>`
          : html`<p class="muted">${t("Nobody yet")}</p>`}
      </li>`;
    })}
  </ul>`;
}

// -- chat in the debrief ------------------------------------------------------------------------

// What the debrief shows of the teams' private chat (the facilitator's reveal_chat choice).
export function debriefChatText(view) {
  return view.chat_revealed
    ? t("Chat between teams was revealed for the debrief by the facilitator.")
    : t("Private chat stays with its parties: each team still reads only its own messages.");
}
