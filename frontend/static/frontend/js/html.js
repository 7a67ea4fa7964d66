// Preact + htm, vendored (see ../vendor/README.md): JSX-like templates without a build step.
import htm from "../vendor/htm/htm.module.js";
import { h, render } from "../vendor/preact/preact.module.js";

export { useEffect, useMemo, useRef, useState } from "../vendor/preact/hooks.module.js";
export { render };
export const html = htm.bind(h);
