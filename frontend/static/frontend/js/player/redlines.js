// The red lines tab: the team's own red lines (sealed disclosure, immediate reveals) and what
// it knows of partners' red lines.
import {
  ErrorText,
  KnownBy,
  RedLineText,
  leverOf,
  roleCodes,
  roleName,
  useCommand,
} from "../components.js";
import * as fmt from "../format.js";
import { html, useEffect, useState } from "../html.js";
import { t } from "../i18n.js";
import { PausedNote, isPaused } from "./paused.js";

// One choice of audience: everyone, or chosen partners (and then which ones).
function AudiencePicker({ view, you, value, onChange, idPrefix }) {
  const others = roleCodes(view).filter((code) => code !== you.role);
  const everyone = value === "all";
  const chosen = everyone ? [] : value;
  return html`<fieldset class="audience">
    <legend>${t("Reveal to")}</legend>
    <label><input type="radio" name=${`${idPrefix}-to`} checked=${everyone}
      onChange=${() => onChange("all")} /> ${t("Everyone (every team, and observers)")}</label>
    <label><input type="radio" name=${`${idPrefix}-to`} checked=${!everyone}
      onChange=${() => onChange(everyone ? [] : chosen)} /> ${t("Chosen partners only")}</label>
    ${everyone
      ? null
      : html`<fieldset class="partners">
          <legend>${t("Which partners?")}</legend>
          ${others.map(
            (code) => html`<label><input
                type="checkbox"
                checked=${chosen.includes(code)}
                onChange=${(event) =>
                  onChange(event.target.checked ? [...chosen, code] : chosen.filter((item) => item !== code))}
              /> ${roleName(view, code)}</label>`,
          )}
          ${chosen.length ? null : html`<p class="hint">${t("Tick at least one partner.")}</p>`}
        </fieldset>`}
  </fieldset>`;
}

function RevealForm({ view, socket, you, line }) {
  const [level, setLevel] = useState("existence");
  const [to, setTo] = useState("all");
  const command = useCommand(socket);
  const [done, setDone] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    if (Array.isArray(to) && !to.length) {
      command.setError(t("Choose at least one team."));
      return;
    }
    const ok = await command.run("reveal", { red_line: line.id, to, level });
    setDone(ok ? t("Revealed.") : null);
  };
  return html`<form class="inline-form" onSubmit=${submit}>
    <label>${t("Level")}
      <select value=${level} onChange=${(event) => setLevel(event.target.value)}>
        <option value="existence">${t("Existence only (lever and direction)")}</option>
        <option value="full">${t("In full (value, conditions, statement)")}</option>
      </select>
    </label>
    <${AudiencePicker} view=${view} you=${you} value=${to} onChange=${setTo} idPrefix=${`reveal-${line.id}`} />
    <${PausedNote} view=${view} />
    <button type="submit" disabled=${command.busy || isPaused(view)}>${t("Reveal now")}</button>
    ${done ? html`<span class="ok" role="status">${done}</span>` : null}
    <${ErrorText} error=${command.error} />
  </form>`;
}

function DisclosureEditor({ view, socket, you, lines }) {
  const saved = (view.disclosures && view.disclosures[you.role]) || [];
  const fromSaved = () =>
    Object.fromEntries(lines.map((line) => {
      const choice = saved.find((item) => item.red_line === line.id);
      return [line.id, choice ? { level: choice.level, to: choice.to } : { level: "none", to: "all" }];
    }));
  const [choices, setChoices] = useState(fromSaved);
  const [dirty, setDirty] = useState(false);
  const command = useCommand(socket);
  useEffect(() => {
    if (!dirty) setChoices(fromSaved());
  }, [JSON.stringify(saved)]);
  const update = (id, patch) => {
    setChoices({ ...choices, [id]: { ...choices[id], ...patch } });
    setDirty(true);
  };
  const submit = async (event) => {
    event.preventDefault();
    const list = Object.entries(choices)
      .filter(([, choice]) => choice.level !== "none")
      .map(([id, choice]) => ({ red_line: id, to: choice.to, level: choice.level }));
    if (list.some((choice) => Array.isArray(choice.to) && !choice.to.length)) {
      command.setError(t("Each red line you reveal needs at least one team to reveal it to."));
      return;
    }
    const ok = await command.run("disclosure_set", { choices: list });
    if (ok) setDirty(false);
  };
  return html`<form class="card disclosure" onSubmit=${submit}>
    <h3>${t("Sealed disclosure")}</h3>
    <p class="muted">${t("Choose which red lines to reveal, to whom and how much. Nobody sees your choices until the phase ends; then every team's choices are published together.")}</p>
    ${lines.map(
      (line) => html`<fieldset class="choice">
        <legend>${leverOf(view, line.lever).label}${": "}${line.kind === "floor" ? t("will not go below") : t("will not go above")}
          ${" "}${fmt.withUnit(line.value, leverOf(view, line.lever))}</legend>
        <label>${t("Reveal")}
          <select value=${choices[line.id].level}
            onChange=${(event) => update(line.id, { level: event.target.value })}>
            <option value="none">${t("Keep it secret")}</option>
            <option value="existence">${t("Its existence only")}</option>
            <option value="full">${t("In full")}</option>
          </select>
        </label>
        ${choices[line.id].level !== "none"
          ? html`<${AudiencePicker} view=${view} you=${you} value=${choices[line.id].to}
              onChange=${(to) => update(line.id, { to })} idPrefix=${`disclose-${line.id}`} />`
          : null}
      </fieldset>`,
    )}
    <${PausedNote} view=${view} />
    <button type="submit" disabled=${command.busy || isPaused(view)}>${t("Save sealed choices")}</button>
    <span role="status">${dirty ? t("Unsaved changes") : saved.length ? t("Saved") : ""}</span>
    <${ErrorText} error=${command.error} />
  </form>`;
}

export function RedLinesPanel({ view, socket, you, debrief }) {
  const own = (view.red_lines || []).filter((line) => line.role === you.role);
  const others = (view.red_lines || []).filter((line) => line.role !== you.role);
  // Forms stay while the game is paused (what is typed is kept); the server refuses to act.
  const canReveal = view.status === "running" && view.phase === "negotiation";
  return html`<div class="panel-grid">
    <section class="card">
      <h2>${debrief ? t("Your team's red lines") : t("Your red lines (secret unless you reveal them)")}</h2>
      ${own.length ? null : html`<p class="muted">${t("Your team has no red lines in this scenario.")}</p>`}
      <ul class="cards">
        ${own.map(
          (line) => html`<li class="card red-line own">
            <${RedLineText} view=${view} line=${line} />
            <${KnownBy} view=${view} line=${line} />
            ${canReveal && !debrief ? html`<${RevealForm} view=${view} socket=${socket} you=${you} line=${line} />` : null}
          </li>`,
        )}
      </ul>
      ${view.status === "running" && view.phase === "disclosure" && own.length
        ? html`<${DisclosureEditor} view=${view} socket=${socket} you=${you} lines=${own} />`
        : null}
      ${view.status === "running" && !["disclosure", "negotiation"].includes(view.phase)
        ? html`<p class="muted">${t("You can reveal red lines in the disclosure phase (sealed) and at any time during negotiation.")}</p>`
        : null}
    </section>
    <section class="card">
      <h2>${debrief ? t("Every other team's red lines") : t("What you know of partners' red lines")}</h2>
      ${others.length
        ? html`<ul class="cards">
            ${others.map(
              (line) => html`<li class="card red-line">
                <p class="muted">${line.level === "existence"
                  ? t("Revealed to you: its existence only")
                  : line.level === "full"
                    ? debrief ? "" : t("Revealed to you in full")
                    : ""}</p>
                <${RedLineText} view=${view} line=${line} />
                ${debrief ? html`<${KnownBy} view=${view} line=${line} />` : null}
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">${t("No partner has revealed a red line to you yet.")}</p>`}
    </section>
  </div>`;
}
