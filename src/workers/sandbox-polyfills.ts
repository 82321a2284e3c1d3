/**
 * Loaded before any workflow code inside Temporal's workflow sandbox, which lacks a few web globals
 * that `@openai/agents-core` touches at module load. Each polyfill is deterministic.
 */
import structuredClonePolyfill from '@ungap/structured-clone';
import { Event, EventTarget } from 'event-target-shim';

type Globals = Record<string, unknown>;
const scope = globalThis as unknown as Globals;

class CustomEventPolyfill<T = unknown> extends Event {
  readonly detail: T | null;
  constructor(type: string, init?: { detail?: T; bubbles?: boolean; cancelable?: boolean }) {
    super(type, init);
    this.detail = init?.detail ?? null;
  }
}

if (typeof scope.structuredClone !== 'function') scope.structuredClone = structuredClonePolyfill;
if (typeof scope.EventTarget !== 'function') scope.EventTarget = EventTarget;
if (typeof scope.Event !== 'function') scope.Event = Event;
if (typeof scope.CustomEvent !== 'function') scope.CustomEvent = CustomEventPolyfill;
// The sandbox provides AbortController but not the AbortSignal global that agents-core's parallel
// tool calls reach for (AbortSignal.any); the class is the one its controllers already create.
if (typeof scope.AbortSignal !== 'function' && typeof scope.AbortController === 'function')
  scope.AbortSignal = new AbortController().signal.constructor;
