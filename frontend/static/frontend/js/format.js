// Formatting for people: numbers with their lever's unit, times in the viewer's own time
// zone, countdowns. Pure functions (tested with node --test).
import { t } from "./i18n.js";

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const scoreFormat = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

export function number(value) {
  return value === null || value === undefined ? "—" : numberFormat.format(value);
}

export function score(value) {
  return value === null || value === undefined ? "—" : scoreFormat.format(value);
}

export function signed(value) {
  if (value === null || value === undefined) return "—";
  const text = scoreFormat.format(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

// A value with its lever's unit: "9 %", "70 index", "4 Mt/yr".
export function withUnit(value, lever) {
  const unit = lever && lever.unit ? lever.unit : "";
  if (!unit) return number(value);
  return unit === "%" || unit === "percent" ? `${number(value)}%` : `${number(value)} ${unit}`;
}

export function clock(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return `${minutes}:${rest}`;
}

// What the countdown shows: seconds left (null when untimed) and whether it is frozen.
export function countdown(view, nowSeconds) {
  if (!view || view.status !== "running") return { seconds: null, paused: false };
  if (view.paused) return { seconds: view.remaining, paused: true };
  if (view.deadline === null || view.deadline === undefined) return { seconds: null, paused: false };
  return { seconds: Math.max(0, view.deadline - nowSeconds), paused: false };
}

// An ISO time as the viewer's local clock time (HH:MM), with the date when not today.
export function time(iso, now = new Date()) {
  if (!iso) return "";
  const date = new Date(iso);
  const sameDay = date.toDateString() === now.toDateString();
  const options = sameDay
    ? { hour: "2-digit", minute: "2-digit" }
    : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(undefined, options).format(date);
}

export function phaseLabel(phase) {
  return (
    {
      briefing: t("Briefing"),
      disclosure: t("Red lines"), // the phase reads as its tab does
      negotiation: t("Negotiation"),
      decision: t("Decision"),
      results: t("Results"),
    }[phase] || t("Lobby")
  );
}

export const PHASES = ["briefing", "disclosure", "negotiation", "decision", "results"];

export function opLabel(op) {
  return op === ">=" ? t("at least") : t("at most");
}
