// Plain words for what the server sent: red lines by what they say, lists of teams (the event
// log's sentences are in eventtext.js). Never a lever key or a red-line id.
import { leverOf, roleName } from "./components.js";
import * as fmt from "./format.js";
import { t } from "./i18n.js";

// A red line (or its id) as a person reads it: "Russian share of LNG imports: will not go
// below 5%", or, when its value is not known to the viewer, "... (a floor)".
export function redLineTitle(view, lineOrId) {
  const line =
    typeof lineOrId === "string"
      ? [...(view.red_lines || []), ...((view.scenario && view.scenario.red_lines) || [])].find((item) => item.id === lineOrId)
      : lineOrId;
  if (!line) return t("a red line");
  const lever = leverOf(view, line.lever);
  if (line.value === undefined || line.value === null) {
    return `${lever.label} (${line.kind === "floor" ? t("a floor") : t("a ceiling")})`;
  }
  const direction = line.kind === "floor" ? t("will not go below") : t("will not go above");
  return `${lever.label}: ${direction} ${fmt.withUnit(line.value, lever)}`;
}

// Teams by name: "Japan", "Japan and Korea", "everyone".
export function teamsText(view, codes) {
  if (codes === "all" || codes === undefined || codes === null) return t("everyone");
  const names = (Array.isArray(codes) ? codes : [codes]).map((code) => roleName(view, code));
  if (names.length <= 1) return names.join("");
  return t("%(first)s and %(last)s", { first: names.slice(0, -1).join(", "), last: names[names.length - 1] });
}
