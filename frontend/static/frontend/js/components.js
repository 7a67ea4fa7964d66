// Panels shared by the player table, the facilitator console and the projector. Each is a
// pure rendering of the server's view (plus what the user is typing); none decides a rule.
import * as fmt from "./format.js";
import { html, useEffect, useRef, useState } from "./html.js";
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
    class=${`countdown ${large ? "large" : ""} ${paused ? "paused" : ""} ${urgent ? "urgent" : ""}`}
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

// -- results and charts ----------------------------------------------------------------------

export function LineChart({ title, series, yMax = 100, yMin = 0, labels }) {
  const width = 320;
  const height = 160;
  const pad = { left: 32, right: 10, top: 10, bottom: 24 };
  const count = Math.max(1, ...series.map((item) => item.values.length));
  const x = (index) =>
    pad.left + (count === 1 ? 0.5 : index / (count - 1)) * (width - pad.left - pad.right);
  const y = (value) =>
    pad.top + (1 - (value - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  const dashes = ["", "6 3", "2 3", "8 3 2 3"];
  const markers = ["circle", "square", "diamond", "triangle"];
  return html`<figure class="chart">
    <svg class="plot" viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title}>
      ${[0, 25, 50, 75, 100].map(
        (tick) => html`<g>
          <line x1=${pad.left} x2=${width - pad.right} y1=${y(tick)} y2=${y(tick)} class="grid" />
          <text x=${pad.left - 4} y=${y(tick) + 3} class="tick" text-anchor="end">${tick}</text>
        </g>`,
      )}
      ${(labels || []).map(
        (label, index) =>
          html`<text x=${x(index)} y=${height - 6} class="tick" text-anchor="middle">${label}</text>`,
      )}
      ${series.map((item, index) => {
        const points = item.values.map((value, at) => `${x(at)},${y(value)}`).join(" ");
        return html`<g>
          <polyline
            points=${points}
            fill="none"
            stroke=${item.color}
            stroke-width="2.5"
            stroke-dasharray=${dashes[index % dashes.length]}
          />
          ${item.values.map((value, at) =>
            marker(markers[index % markers.length], x(at), y(value), item.color),
          )}
        </g>`;
      })}
    </svg>
    <figcaption>
      <span class="chart-title">${title}</span>
      <ul class="legend">
        ${series.map(
          (item, index) => html`<li>
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" stroke=${item.color} stroke-width="2.5"
                stroke-dasharray=${dashes[index % dashes.length]} />
            </svg>
            ${item.label}: ${item.values.length ? fmt.score(item.values[item.values.length - 1]) : "—"}
          </li>`,
        )}
      </ul>
    </figcaption>
  </figure>`;
}

function marker(shape, cx, cy, color) {
  const r = 3.5;
  if (shape === "square")
    return html`<rect x=${cx - r} y=${cy - r} width=${2 * r} height=${2 * r} fill=${color} />`;
  if (shape === "diamond")
    return html`<polygon points=${`${cx},${cy - r - 1} ${cx + r + 1},${cy} ${cx},${cy + r + 1} ${cx - r - 1},${cy}`} fill=${color} />`;
  if (shape === "triangle")
    return html`<polygon points=${`${cx},${cy - r - 1} ${cx + r + 1},${cy + r} ${cx - r - 1},${cy + r}`} fill=${color} />`;
  return html`<circle cx=${cx} cy=${cy} r=${r} fill=${color} />`;
}

export function AlignmentChart({ view, role = null, allRoles = false }) {
  const results = view.results || [];
  if (!results.length) return html`<p class="muted">${t("The chart fills in as rounds are scored.")}</p>`;
  const series = [
    {
      label: t("Coalition alignment (points)"),
      color: "#1b4f8a",
      values: results.map((entry) => entry.metrics.alignment_points),
    },
    {
      label: t("Effectiveness"),
      color: "#8a4b08",
      values: results.map((entry) => entry.metrics.effectiveness),
    },
  ];
  const codes = allRoles ? roleCodes(view) : role ? [role] : [];
  for (const code of codes) {
    series.push({
      label: t("%(team)s score", { team: roleName(view, code) }),
      color: roleOf(view, code).color || "#333",
      values: results.map((entry) => entry.scores[code].score),
    });
  }
  return html`<${LineChart}
    title=${t("Alignment and scores by round")}
    series=${series}
    labels=${results.map((entry) => t("R%(round)s", { round: entry.round }))}
  />`;
}

export function ResultsPanel({ view, role = null }) {
  const results = view.results || [];
  if (!results.length) return html`<p class="muted">${t("No round has been scored yet.")}</p>`;
  return html`<div class="results">
    <section class="card"><${AlignmentChart} view=${view} role=${role} allRoles=${!role} /></section>
    ${view.final
      ? html`<section class="card final">
          <h3>${t("Final scores")}</h3>
          <${FinalTable} view=${view} />
        </section>`
      : null}
    ${[...results].reverse().map((entry) => html`<${RoundResult} view=${view} entry=${entry} role=${role} />`)}
  </div>`;
}

function FinalTable({ view }) {
  const final = view.final;
  const scores = final.scores || final.roles || {};
  return html`<table>
    <thead><tr><th scope="col">${t("Team")}</th><th scope="col">${t("Final score")}</th></tr></thead>
    <tbody>
      ${roleCodes(view).map(
        (code) => html`<tr><th scope="row">${roleName(view, code)}</th><td>${fmt.score(scoreOf(scores[code]))}</td></tr>`,
      )}
      <tr><th scope="row">${t("Coalition")}</th><td>${fmt.score(final.coalition)}</td></tr>
    </tbody>
  </table>`;
}

function scoreOf(value) {
  return value && typeof value === "object" ? value.score : value;
}

export function RoundResult({ view, entry, role }) {
  const codes = roleCodes(view);
  const levers = view.scenario.levers || [];
  const questions = (view.rounds || []).find((item) => item.round === entry.round);
  const mine = role && entry.private ? entry.private[role] : null;
  const hasGain = codes.some((code) => entry.scores[code].gain !== undefined);
  return html`<section class="card round-result">
    <h3>${t("Round %(round)s results", { round: entry.round })}</h3>
    <dl class="metrics">
      <div><dt>${t("Coalition alignment")}</dt><dd>${fmt.score(entry.metrics.alignment_points)} ${t("points")}</dd></div>
      <div><dt>${t("Effectiveness")}</dt><dd>${fmt.score(entry.metrics.effectiveness)}</dd></div>
      <div><dt>${t("Coalition score")}</dt><dd>${fmt.score(entry.metrics.coalition)}</dd></div>
    </dl>
    <div class="table-scroll">
      <table>
        <caption>${t("Scores")}</caption>
        <thead><tr>
          <th scope="col">${t("Team")}</th>
          <th scope="col">${t("National")}</th>
          <th scope="col">${t("Commitment penalty")}</th>
          <th scope="col">${t("Adjustment")}</th>
          <th scope="col">${t("Round score")}</th>
          ${hasGain ? html`<th scope="col">${t("Gain over status quo")}</th>` : null}
        </tr></thead>
        <tbody>
          ${codes.map((code) => {
            const item = entry.scores[code];
            return html`<tr class=${code === role ? "mine" : ""}>
              <th scope="row">${roleName(view, code)}${code === role ? ` (${t("you")})` : ""}</th>
              <td>${fmt.score(item.national)}</td>
              <td>${item.commitment_penalty ? `−${fmt.number(item.commitment_penalty)}` : "0"}</td>
              <td>${fmt.signed(item.adjustment)}</td>
              <td><strong>${fmt.score(item.score)}</strong></td>
              ${hasGain ? html`<td>${fmt.signed(item.gain)}</td>` : null}
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
    <div class="table-scroll">
      <table>
        <caption>${t("Decisions")}</caption>
        <thead><tr><th scope="col">${t("Lever")}</th>${codes.map((code) => html`<th scope="col">${code}</th>`)}</tr></thead>
        <tbody>
          ${levers.map(
            (lever) => html`<tr>
              <th scope="row">${lever.label}</th>
              ${codes.map((code) => {
                const value = entry.decisions[code] ? entry.decisions[code][lever.key] : undefined;
                return html`<td>${value === undefined ? "" : fmt.withUnit(value, lever)}</td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${entry.metrics.pairs && entry.metrics.pairs.length
      ? html`<div class="table-scroll"><table>
          <caption>${t("Alignment per pair (−1 to 1)")}</caption>
          <thead><tr><th scope="col">${t("Pair")}</th><th scope="col">${t("Alignment")}</th></tr></thead>
          <tbody>
            ${entry.metrics.pairs.map(
              (pair) => html`<tr><th scope="row">${pairName(view, pair)}</th><td>${fmt.number(pairValue(pair))}</td></tr>`,
            )}
          </tbody>
        </table></div>`
      : null}
    ${entry.commitments && entry.commitments.length
      ? html`<h4>${t("Commitments")}</h4>
          <ul class="commitments">
            ${entry.commitments.map(
              (item) => html`<li class=${item.status}>
                <span class="tag">${item.status === "broken" ? t("Broken") : t("Fulfilled")}</span>
                ${" "}<${TermText} view=${view} term=${item.term} />
                ${" "}<span class="muted">${t("decided %(value)s", { value: fmt.withUnit(item.value, leverOf(view, item.term.lever)) })}</span>
              </li>`,
            )}
          </ul>`
      : null}
    ${mine && (mine.breaches.length || mine.lifted.length || mine.cost !== null)
      ? html`<h4>${t("Your team")}</h4>
          <ul>
            ${mine.cost !== null ? html`<li>${t("Domestic cost: %(cost)s points", { cost: fmt.score(mine.cost) })}</li>` : null}
            ${mine.breaches.map(
              (item) => html`<li class="breach"><span class="tag">${t("Red line breached")}</span> ${redLineName(view, item.red_line)} (−${fmt.number(item.penalty)})</li>`,
            )}
            ${mine.lifted.map(
              (item) => html`<li><span class="tag">${t("Red line lifted")}</span> ${redLineName(view, item.red_line)}</li>`,
            )}
          </ul>`
      : null}
    ${entry.adjustments && entry.adjustments.length
      ? html`<h4>${t("Adjustments")}</h4>
          <ul>${entry.adjustments.map(
            (item) => html`<li>${roleName(view, item.role)} ${fmt.signed(item.delta)}: ${item.reason}</li>`,
          )}</ul>`
      : null}
    ${questions && questions.questions && questions.questions.length
      ? html`<h4>${t("Debrief questions")}</h4>
          <ol class="questions">${questions.questions.map((question) => html`<li>${question}</li>`)}</ol>`
      : null}
  </section>`;
}

function redLineName(view, id) {
  const line = (view.red_lines || []).find((item) => item.id === id);
  return line ? `${leverOf(view, line.lever).label} (${id})` : id;
}

function pairName(view, pair) {
  const codes = pair.pair || pair.roles || [pair.a, pair.b];
  return codes.map((code) => roleName(view, code)).join(" – ");
}

function pairValue(pair) {
  return pair.alignment !== undefined ? pair.alignment : pair.s !== undefined ? pair.s : pair.value;
}

// -- chat ----------------------------------------------------------------------------------------

export function channelKey(channel, from, you) {
  if (channel === "all") return "all";
  if (channel === "team") return `team:${from}`;
  return `to:${[...channel].sort().join(",")}`;
}

export function ChatPanel({ state, socket, view, you, readOnly = false }) {
  const codes = roleCodes(view);
  const me = you.role;
  const tabs = [{ key: "all", label: t("Everyone"), channel: "all" }];
  if (me) {
    tabs.push({ key: `team:${me}`, label: t("My team"), channel: "team" });
    for (const code of codes) {
      if (code !== me) {
        const pair = [me, code].sort();
        tabs.push({ key: `to:${pair.join(",")}`, label: t("With %(team)s", { team: roleName(view, code) }), channel: [me, code] });
      }
    }
  } else if (!readOnly) {
    for (const code of codes) {
      tabs.push({ key: `team:${code}`, label: t("%(team)s team", { team: code }), channel: null });
    }
  }
  const seen = new Set(tabs.map((tab) => tab.key));
  for (const event of state.chat) {
    const key = channelKey(event.data.channel, event.data.from, you);
    if (!seen.has(key)) {
      seen.add(key);
      const list = event.data.channel;
      tabs.push({ key, label: Array.isArray(list) ? list.join(" · ") : key, channel: Array.isArray(list) ? list : null });
    }
  }
  const [active, setActive] = useState("all");
  const [drafts, setDrafts] = useState({});
  const command = useCommand(socket);
  const list = useRef(null);
  const tab = tabs.find((item) => item.key === active) || tabs[0];
  const messages = state.chat.filter((event) => channelKey(event.data.channel, event.data.from, you) === tab.key);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages.length, tab.key]);
  const draft = drafts[tab.key] || "";
  const send = async (event) => {
    event.preventDefault();
    if (!draft.trim() || !tab.channel) return;
    const ok = await command.run("chat", { channel: tab.channel, text: draft });
    if (ok) setDrafts({ ...drafts, [tab.key]: "" });
  };
  const older = () => {
    const first = state.chat[0];
    socket.request({ type: "history", kinds: "chat", before: first ? first.seq : undefined }).catch(() => {});
  };
  return html`<section class="chat card" aria-labelledby="chat-title">
    <h2 id="chat-title">${t("Chat")}</h2>
    <div class="tabs" role="tablist" aria-label=${t("Chat channels")}>
      ${tabs.map(
        (item) => html`<button
          type="button"
          role="tab"
          aria-selected=${item.key === tab.key ? "true" : "false"}
          class=${item.key === tab.key ? "tab active" : "tab"}
          onClick=${() => setActive(item.key)}
        >${item.label}</button>`,
      )}
    </div>
    <div class="messages" ref=${list} role="log" aria-label=${t("Messages: %(channel)s", { channel: tab.label })}>
      ${state.chatMore
        ? html`<button type="button" class="link" onClick=${older}>${t("Show older messages")}</button>`
        : null}
      ${messages.length
        ? messages.map(
            (event) => html`<p class="message">
              <span class="who">${event.data.from === "facilitator" ? t("Facilitator") : `${event.actor.name} (${event.data.from})`}</span>
              <time datetime=${event.at}>${fmt.time(event.at)}</time>
              <span class="text">${event.data.text}</span>
            </p>`,
          )
        : html`<p class="muted">${t("No messages here yet.")}</p>`}
    </div>
    ${readOnly || !tab.channel || view.status !== "running"
      ? null
      : html`<form class="chat-form" onSubmit=${send}>
          <label for="chat-text" class="visually-hidden">${t("Message to %(channel)s", { channel: tab.label })}</label>
          <input
            id="chat-text"
            maxlength="2000"
            autocomplete="off"
            value=${draft}
            placeholder=${t("Message to %(channel)s", { channel: tab.label })}
            onInput=${(event) => setDrafts({ ...drafts, [tab.key]: event.target.value })}
          />
          <button type="submit" disabled=${command.busy}>${t("Send")}</button>
          <${ErrorText} error=${command.error} />
        </form>`}
  </section>`;
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
