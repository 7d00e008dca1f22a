import type { ComponentChildren } from 'preact';
import { CSRF_FIELD } from '../csrf-tokens';

/** Messages per field path (`variants.0.price`), as the services' validation errors give them. */
export type FieldErrors = Readonly<Record<string, string>>;

/** The CSRF token every form carries (see CsrfTokens). */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />;
}

/** Why a form was refused, announced to screen readers, above the form. */
export function FormErrors(props: { errors?: FieldErrors; message?: string }) {
  const messages = Object.values(props.errors ?? {});
  if (!props.message && messages.length === 0) return null;
  return (
    <div class="notice error" role="alert">
      <strong>{props.message ?? 'Please correct the highlighted fields.'}</strong>
      {messages.length > 1 && (
        <ul>
          {messages.map((message) => (
            <li>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface FieldProps {
  label: string;
  name: string;
  /** The element's id; the name with dots and brackets made safe, when absent. */
  id?: string;
  error?: string;
  hint?: string;
}

function idOf(props: FieldProps): string {
  return props.id ?? `field-${props.name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

/** aria-invalid and aria-describedby, tying an error or hint to its control. */
function described(props: FieldProps, id: string) {
  const describedBy = [props.error && `${id}-error`, props.hint && `${id}-hint`]
    .filter(Boolean)
    .join(' ');
  return {
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
  };
}

function Messages(props: FieldProps & { id: string }) {
  return (
    <>
      {props.error && (
        <small class="field-error" id={`${props.id}-error`}>
          {props.error}
        </small>
      )}
      {props.hint && <small id={`${props.id}-hint`}>{props.hint}</small>}
    </>
  );
}

/** A labelled input with its error. */
export function Field(
  props: FieldProps & {
    type?: string;
    value?: string | number;
    required?: boolean;
    autocomplete?: string;
    inputmode?: 'decimal' | 'numeric' | 'email';
    min?: number;
    max?: number;
    maxLength?: number;
    placeholder?: string;
    autofocus?: boolean;
  },
) {
  const id = idOf(props);
  return (
    <label for={id}>
      {props.label}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === undefined ? undefined : String(props.value)}
        required={props.required}
        autocomplete={props.autocomplete}
        inputMode={props.inputmode}
        min={props.min}
        max={props.max}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        autofocus={props.autofocus}
        {...described(props, id)}
      />
      <Messages {...props} id={id} />
    </label>
  );
}

export function TextArea(props: FieldProps & { value?: string; rows?: number }) {
  const id = idOf(props);
  return (
    <label for={id}>
      {props.label}
      <textarea id={id} name={props.name} rows={props.rows ?? 4} {...described(props, id)}>
        {props.value ?? ''}
      </textarea>
      <Messages {...props} id={id} />
    </label>
  );
}

export function Select(
  props: FieldProps & {
    value?: string;
    options: readonly { value: string; label: string }[];
  },
) {
  const id = idOf(props);
  return (
    <label for={id}>
      {props.label}
      <select id={id} name={props.name} {...described(props, id)}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Messages {...props} id={id} />
    </label>
  );
}

export function Checkbox(
  props: FieldProps & { value: string; checked?: boolean; children?: ComponentChildren },
) {
  const id = idOf(props) + `-${props.value.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return (
    <label for={id}>
      <input
        id={id}
        type="checkbox"
        name={props.name}
        value={props.value}
        checked={props.checked}
      />
      {props.label}
      {props.children}
    </label>
  );
}

/** A form that posts to `action` with its CSRF token: one button's worth (pay, revoke, delete). */
export function ActionForm(props: {
  action: string;
  csrf: string;
  label: string;
  /** Pico's button styles: secondary, contrast, outline. */
  variant?: 'secondary' | 'contrast' | 'outline';
  children?: ComponentChildren;
}) {
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrf} />
      {props.children}
      <button type="submit" class={props.variant}>
        {props.label}
      </button>
    </form>
  );
}
