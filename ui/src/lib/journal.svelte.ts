// The journal's last entry as this desk last heard it, asked every few seconds. When it moves,
// somebody wrote — another desk on the office server, or the CLI on the same store — and the
// screens read again what they show, so an office never acts on a stale register.
import { untrack } from "svelte";

export const journal = $state<{ seq: number | null }>({ seq: null });

/**
 * From a component's setup: calls `reread` each time the journal moves past what the
 * component last saw. A component set up before any entry was heard reads again on the first
 * one: what it read may be older than that entry (a write landed between its read and the
 * check), and one read too many costs less than a stale screen.
 */
export function rereadWhenJournalMoves(reread: () => void) {
  let seen: number | null = untrack(() => journal.seq);
  $effect(() => {
    const now = journal.seq;
    untrack(() => {
      if (now === null) return;
      if (now !== seen) reread();
      seen = now;
    });
  });
}

/** Set by the app: asks the backend for the journal's last entry at once. */
export const journalAsker: { askNow: () => void } = { askNow: () => {} };

/** After a write made here: every screen showing what it changed reads again now, rather
 * than at the next few-second check. */
export function wroteHere(): void {
  journalAsker.askNow();
}
