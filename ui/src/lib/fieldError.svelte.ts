// A form's refusal: its message, and the field it is about — marked invalid, described by the
// message and focused, so it can be put right — whether the form found it or the backend named
// it in `IpcError.field`. What was typed stays as it was.

export class FieldError<F extends string> {
  current = $state<{ message: string; field: F | null } | null>(null);
  readonly #inputIds: Record<F, string>;
  readonly #errorId: string;
  readonly #aliases: Partial<Record<string, F>>;

  /** `inputIds`: each field's input element; `errorId`: the element showing the message;
   * `aliases`: other names the backend gives a field of this form (a loan's custodian is the
   * form's person; a duplicate organisation is its name field). */
  constructor(inputIds: Record<F, string>, errorId: string, aliases: Partial<Record<string, F>> = {}) {
    this.#inputIds = inputIds;
    this.#errorId = errorId;
    this.#aliases = aliases;
  }

  /** The form's field the backend's field name is about, if any. */
  field(name: string | null): F | null {
    if (name == null) return null;
    if (Object.hasOwn(this.#inputIds, name)) return name as F;
    return Object.hasOwn(this.#aliases, name) ? (this.#aliases[name] ?? null) : null;
  }

  /** Shows `message` and moves the focus to `field`'s input. */
  refuse(message: string, field: F | null): void {
    this.current = { message, field };
    if (field) queueMicrotask(() => document.getElementById(this.#inputIds[field])?.focus());
  }

  clear(): void {
    this.current = null;
  }

  /** `aria-invalid` for a field. */
  invalid(field: F): "true" | undefined {
    return this.current?.field === field ? "true" : undefined;
  }

  /** `aria-describedby` for a field: its own hint, if it has one, then the message when the
   * message is about it. */
  describedBy(field: F, hint?: string): string | undefined {
    const ids = [hint, this.current?.field === field ? this.#errorId : undefined].filter((id) => id);
    return ids.length > 0 ? ids.join(" ") : undefined;
  }
}
