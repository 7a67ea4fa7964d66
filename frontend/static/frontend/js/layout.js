// The player page's layout helpers: a media-query hook, foldable sections, count badges, and
// the notices of what just happened, written from the viewer's side. Presentation only.
import { noticeText } from "./components.js";
import { html, useEffect, useRef, useState } from "./html.js";
import { t, tn } from "./i18n.js";

export const NARROW = "(max-width: 40rem)";
const NOTICE_SHOWN_MS = 30_000;

// Does the media query match (live, as the window is resized or turned)?
export function useMedia(query) {
  const media = globalThis.matchMedia ? globalThis.matchMedia(query) : null;
  const [matches, setMatches] = useState(media ? media.matches : false);
  useEffect(() => {
    if (!media) return undefined;
    const changed = () => setMatches(media.matches);
    media.addEventListener("change", changed);
    return () => media.removeEventListener("change", changed);
  }, [query]);
  return matches;
}

// Calls `onSeen` whenever the element is at least partly on screen and the page visible.
export function useOnScreen(ref, onSeen, deps) {
  useEffect(() => {
    const element = ref.current;
    if (!element || !globalThis.IntersectionObserver) return undefined;
    let visible = false;
    const check = () => {
      if (visible && !document.hidden) onSeen();
    };
    const observer = new IntersectionObserver((entries) => {
      visible = entries.some((entry) => entry.isIntersecting);
      check();
    });
    observer.observe(element);
    document.addEventListener("visibilitychange", check);
    return () => {
      observer.disconnect();
      document.removeEventListener("visibilitychange", check);
    };
  }, deps);
}

// A section that folds behind its heading. `open` may be controlled by the caller.
export function Fold({ summary, open, onToggle, className = "", children }) {
  return html`<details class=${`fold ${className}`} open=${open}
    onToggle=${onToggle ? (event) => onToggle(event.target.open) : undefined}>
    <summary>${summary}</summary>
    ${children}
  </details>`;
}

// "3" in a badge, with the words for screen readers (nothing when there is nothing to count).
export function CountBadge({ count, label }) {
  if (!count) return null;
  return html` <span class="count-badge" aria-hidden="true">${count}</span><span class="visually-hidden">${" "}(${label})</span>`;
}

export function unreadLabel(count) {
  return tn("%(count)s unread", "%(count)s unread", count);
}

export function awaitingLabel(count) {
  return tn("%(count)s awaiting your answer", "%(count)s awaiting your answer", count);
}

// The tab a notice leads to.
function noticeTab(event) {
  if (event.kind.startsWith("offer_")) return "negotiation";
  if (event.kind === "red_line_revealed") return "redlines";
  if (event.kind === "inject_published") return "briefing";
  if (event.kind === "round_scored" || event.kind === "game_ended") return "results";
  return null;
}

// The newest notices as toasts at the bottom of the screen, announced politely; each can be
// opened (its tab) or dismissed, and goes by itself after a while so none goes stale.
export function Notices({ notices, view, role, onOpen }) {
  const [hidden, setHidden] = useState({});
  const narrow = useMedia(NARROW);
  const arrived = useRef({});
  const [now, setNow] = useState(Date.now());
  for (const event of notices) if (!(event.seq in arrived.current)) arrived.current[event.seq] = Date.now();
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);
  const shown = notices
    .filter((event) => !hidden[event.seq] && now - arrived.current[event.seq] < NOTICE_SHOWN_MS)
    .map((event) => ({ event, text: noticeText(view, event, role) }))
    .filter((item) => item.text)
    .slice(narrow ? -2 : -3);
  const hide = (seq) => setHidden({ ...hidden, [seq]: true });
  return html`<div class="toasts" role="status" aria-live="polite">
    ${shown.map(({ event, text }) => {
      const tab = noticeTab(event);
      return html`<p class=${`notice toast kind-${event.kind}`} key=${event.seq}>
        <span class="text">${text}</span>
        ${tab && onOpen
          ? html`<button type="button" class="link" onClick=${() => { onOpen(tab); hide(event.seq); }}>${t("Show")}</button>`
          : null}
        <button type="button" class="link dismiss" onClick=${() => hide(event.seq)}><span aria-hidden="true">×</span><span class="visually-hidden">${t("Dismiss")}</span></button>
      </p>`;
    })}
  </div>`;
}

// On a narrow screen, `children` fold behind `summary`; elsewhere they are simply shown.
export function FoldOnPhone({ summary, open = false, onToggle, className = "", children }) {
  const narrow = useMedia(NARROW);
  if (!narrow) return children;
  return html`<${Fold} summary=${summary} open=${open} onToggle=${onToggle} className=${className}>${children}</${Fold}>`;
}

// A card with its heading; on a narrow screen its body folds behind the heading.
export function FoldingCard({ title, className = "", children }) {
  const narrow = useMedia(NARROW);
  const heading = html`<h2>${title}</h2>`;
  return html`<section class=${`card ${className}`}>
    ${narrow ? html`<${Fold} summary=${heading} className="card-fold">${children}</${Fold}>` : html`${heading}${children}`}
  </section>`;
}
