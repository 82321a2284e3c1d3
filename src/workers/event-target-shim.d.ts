// event-target-shim ships types its package.json "exports" does not point at; these are the two
// classes we use, typed as the standard globals they polyfill.
declare module 'event-target-shim' {
  export const EventTarget: typeof globalThis.EventTarget;
  export const Event: typeof globalThis.Event;
}
