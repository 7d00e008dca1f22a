/**
 * What the pages add to Pico CSS (served as /assets/…/app.css; no inline style, for the CSP).
 * Kept in TypeScript so that the build carries it without a copy step.
 */
export const APP_STYLESHEET = `
:root { --pico-font-size: 100%; }
body > header, body > main, body > footer { padding-block: 1rem; }
body > header nav { border-bottom: 1px solid var(--pico-muted-border-color); }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.muted { color: var(--pico-muted-color); }
.error, .field-error { color: var(--pico-del-color); }
.field-error { display: block; margin-top: -0.5rem; margin-bottom: 0.75rem; font-size: 0.875rem; }
.notice { padding: 0.75rem 1rem; border-radius: var(--pico-border-radius); background: var(--pico-card-sectioning-background-color); border-left: 4px solid var(--pico-primary); }
.notice.error { border-left-color: var(--pico-del-color); }
.product-grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
.product-grid article { margin: 0; }
.price { font-weight: 600; }
.badge { display: inline-block; padding: 0.1rem 0.5rem; border-radius: 999px; font-size: 0.8rem; background: var(--pico-secondary-background); color: var(--pico-secondary-inverse); }
.badge.ok { background: #1f7a4d; color: #fff; }
.badge.warn { background: #a15c00; color: #fff; }
.badge.bad { background: #b42318; color: #fff; }
.stats { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
.stats article { margin: 0; }
.stats strong { display: block; font-size: 1.75rem; }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
.actions form { margin: 0; }
.actions button { margin: 0; width: auto; }
/* A link that looks like Pico's primary button, keeping a link's role (it navigates). */
a.button-link { display: inline-block; padding: var(--pico-form-element-spacing-vertical) var(--pico-form-element-spacing-horizontal); border-radius: var(--pico-border-radius); background: var(--pico-primary-background); color: var(--pico-primary-inverse); text-decoration: none; font-weight: var(--pico-font-weight); }
a.button-link:hover, a.button-link:focus-visible { background: var(--pico-primary-hover-background); }
.secret { font-family: var(--pico-font-family-monospace); word-break: break-all; }
table td.number, table th.number { text-align: right; }
.live-status[data-state="offline"]::before { content: "● "; color: var(--pico-del-color); }
.live-status[data-state="live"]::before { content: "● "; color: #1f7a4d; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
