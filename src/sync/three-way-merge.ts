import { isDeepStrictEqual } from 'node:util';

/** A resource as sync compares it: the fields a push may set, nothing the server derives. */
export type Fields = Record<string, unknown>;

/**
 * Where a value sits: a field (`['title']`), an element of a keyed list (`['variants', 'MUG']`)
 * or one field of it (`['variants', 'MUG', 'price']`).
 */
export type FieldPath = readonly string[];

export interface ResourceShape {
  /** Lists of records matched by a key field rather than by position: variants by `sku`. */
  readonly keyedLists: Readonly<Record<string, string>>;
  /** Lists of values whose elements can be merged one by one (`tags`). */
  readonly sets: readonly string[];
}

/**
 * What becomes of a path both sides changed to different values: the incoming value, the
 * current one, both sets' additions and removals (`combine`, for sets only), or the current
 * value for now while a person decides (`open`).
 */
export type Decision = 'incoming' | 'current' | 'combine' | 'open';

export interface MergeInput {
  /** Both sides as they were when they last agreed; unknown makes every difference two-sided. */
  readonly base: Fields | undefined;
  /** The change brought in. A field (or element field) it leaves out is one it did not change. */
  readonly incoming: Fields;
  /** What is held now. */
  readonly current: Fields;
}

export interface MergeOutcome {
  /** What to hold after the merge. */
  readonly merged: Fields;
  readonly incomingOnly: FieldPath[];
  readonly currentOnly: FieldPath[];
  /** Paths both sides changed to different values (the same change on both is no conflict). */
  readonly both: { readonly path: FieldPath; readonly decision: Decision }[];
}

/** Decides each path both sides changed; `combinable` is true for a set field. */
export type Decide = (path: FieldPath, combinable: boolean) => Decision;

/**
 * A three-way merge: each field, and each field of each keyed-list element, is compared with the
 * base on both sides. A path only one side changed keeps that side's value whatever `decide`
 * says; only paths both sides changed, differently, are decided. Elements added on one side are
 * kept, and removed on one side are removed unless the other side edited them (then that is a
 * path both changed: the element itself).
 *
 * Hand-written because the merge libraries on npm (three-way-merge, node-diff3, automerge) merge
 * text lines or CRDT documents, not records keyed by SKU with a policy per conflicting field.
 */
export function threeWayMerge(
  input: MergeInput,
  shape: ResourceShape,
  decide: Decide,
): MergeOutcome {
  const outcome: Mutable<MergeOutcome> = {
    merged: {},
    incomingOnly: [],
    currentOnly: [],
    both: [],
  };
  const names = unique([...Object.keys(input.current), ...Object.keys(input.incoming)]);
  for (const name of names) {
    const key = shape.keyedLists[name];
    if (key === undefined) {
      mergeValue(input, [name], shape.sets.includes(name), decide, outcome, outcome.merged);
      continue;
    }
    const merged = mergeKeyedList(
      {
        base: input.base && listOf(input.base[name]),
        incoming: listOf(input.incoming[name] ?? input.base?.[name] ?? input.current[name]),
        current: listOf(input.current[name]),
      },
      name,
      key,
      decide,
      outcome,
    );
    if (merged.length > 0 || input.current[name] !== undefined) outcome.merged[name] = merged;
  }
  return outcome;
}

/** `path` for people: `title`, `variants[MUG]`, `variants[MUG].price`. */
export function pathName(path: FieldPath): string {
  if (path.length === 1) return path[0];
  return `${path[0]}[${path[1]}]${path.length > 2 ? `.${path[2]}` : ''}`;
}

/**
 * Whether `path` is among `names` (as `pathName` writes them), itself or through an enclosing
 * path: `variants[MUG]` covers `variants[MUG].price`, and `variants` every variant.
 */
export function coveredBy(path: FieldPath, names: ReadonlySet<string>): boolean {
  return path.some((_segment, end) => names.has(pathName(path.slice(0, end + 1))));
}

/** The value at `path`: a field, an element (undefined when absent) or an element's field. */
export function valueAt(fields: Fields, path: FieldPath, shape: ResourceShape): unknown {
  if (path.length === 1) return fields[path[0]];
  const element = listOf(fields[path[0]]).find(
    (each) => String(each[shape.keyedLists[path[0]]]) === path[1],
  );
  return path.length === 2 ? element : element?.[path[2]];
}

/** `fields` with `value` at `path` (an element path with undefined removes the element). */
export function withValueAt(
  fields: Fields,
  path: FieldPath,
  value: unknown,
  shape: ResourceShape,
): Fields {
  if (path.length === 1) return { ...fields, [path[0]]: value };
  const key = shape.keyedLists[path[0]];
  const list = listOf(fields[path[0]]);
  const index = list.findIndex((each) => String(each[key]) === path[1]);
  const replaced =
    path.length === 2
      ? (value as Fields | undefined)
      : index < 0
        ? undefined
        : { ...list[index], [path[2]]: value };
  const next = list.filter((_each, at) => at !== index);
  if (replaced) next.splice(index < 0 ? next.length : index, 0, replaced);
  return { ...fields, [path[0]]: next };
}

/**
 * The top-level fields whose value differs between `next` and `held`: what a write must carry.
 * Keyed lists compare element by element, whatever their order.
 */
export function fieldsToWrite(next: Fields, held: Fields, shape: ResourceShape): string[] {
  return Object.keys(next).filter((name) => {
    const key = shape.keyedLists[name];
    if (key === undefined) return !isDeepStrictEqual(next[name], held[name]);
    const before = byKey(listOf(held[name]), key);
    const after = listOf(next[name]);
    return (
      after.length !== before.size ||
      after.some((element) => !isDeepStrictEqual(element, before.get(String(element[key]))))
    );
  });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Sides<T> {
  readonly base: T | undefined;
  readonly incoming: T;
  readonly current: T;
}

/** One field (of the resource or of one element), decided into `into`. */
function mergeValue(
  sides: Sides<Fields>,
  path: FieldPath,
  combinable: boolean,
  decide: Decide,
  outcome: Mutable<MergeOutcome>,
  into: Fields,
): void {
  const name = path[path.length - 1];
  const incoming = sides.incoming[name];
  const current = sides.current[name];
  const base = sides.base?.[name];
  const keep = (value: unknown) => {
    if (value !== undefined) into[name] = value;
  };
  if (incoming === undefined || isDeepStrictEqual(incoming, current)) {
    if (sides.base && !isDeepStrictEqual(current, base) && incoming === undefined)
      outcome.currentOnly.push(path);
    return keep(current);
  }
  if (sides.base && isDeepStrictEqual(incoming, base)) {
    if (!isDeepStrictEqual(current, base)) outcome.currentOnly.push(path);
    return keep(current);
  }
  if (sides.base && isDeepStrictEqual(current, base)) {
    outcome.incomingOnly.push(path);
    return keep(incoming);
  }
  const decision = decide(path, combinable);
  outcome.both.push({ path, decision });
  if (decision === 'incoming') return keep(incoming);
  if (decision === 'combine' && sides.base)
    return keep(combineSets(listOf(base), listOf(incoming), listOf(current)));
  keep(current);
}

/**
 * Elements matched by `key`. The merged list follows the incoming order, then adds what only
 * the current side holds in its order.
 */
function mergeKeyedList(
  sides: Sides<Fields[]>,
  name: string,
  key: string,
  decide: Decide,
  outcome: Mutable<MergeOutcome>,
): Fields[] {
  const base = sides.base && byKey(sides.base, key);
  const incoming = byKey(sides.incoming, key);
  const current = byKey(sides.current, key);
  const keys = unique([...incoming.keys(), ...current.keys(), ...(base?.keys() ?? [])]);
  const merged: Fields[] = [];
  for (const id of keys) {
    const path = [name, id];
    const element = mergeElement(
      {
        base: base && (base.get(id) ?? null),
        incoming: incoming.get(id),
        current: current.get(id),
      },
      path,
      decide,
      outcome,
    );
    if (element) merged.push(element);
  }
  return merged;
}

/**
 * One element on three sides (`base` null: known to be absent there; undefined: base unknown).
 * Present on both current sides: merged field by field. Otherwise its existence is what changed.
 */
function mergeElement(
  sides: { base: Fields | null | undefined; incoming?: Fields; current?: Fields },
  path: FieldPath,
  decide: Decide,
  outcome: Mutable<MergeOutcome>,
): Fields | undefined {
  const { incoming, current } = sides;
  if (incoming && current) {
    const into: Fields = {};
    const known = sides.base ?? undefined;
    const fields = { base: known, incoming, current };
    for (const field of unique([...Object.keys(current), ...Object.keys(incoming)]))
      mergeValue(fields, [...path, field], false, decide, outcome, into);
    return into;
  }
  if (!incoming && !current) return undefined;
  const base = sides.base;
  // Changed since the base: an edit counts only for the fields the incoming side says.
  const edited = (side: Fields) =>
    base !== null &&
    base !== undefined &&
    Object.entries(side).some(([field, value]) => !isDeepStrictEqual(value, base[field]));
  if (base === null) {
    // Added on one side only.
    (incoming ? outcome.incomingOnly : outcome.currentOnly).push(path);
    return incoming ?? current;
  }
  if (base !== undefined) {
    // Removed on one side: removed, unless the other side edited it since.
    const kept = (incoming ?? current)!;
    if (!edited(kept)) {
      (incoming ? outcome.currentOnly : outcome.incomingOnly).push(path);
      return undefined;
    }
  }
  const decision = decide(path, false);
  outcome.both.push({ path, decision });
  if (decision === 'incoming') return incoming && { ...(base ?? {}), ...incoming };
  return current;
}

/** A set's additions and removals from both sides, in the current order then the incoming one. */
function combineSets(base: unknown[], incoming: unknown[], current: unknown[]): unknown[] {
  const has = (list: unknown[], value: unknown) =>
    list.some((each) => isDeepStrictEqual(each, value));
  const removed = base.filter((value) => !has(incoming, value));
  const added = incoming.filter((value) => !has(base, value) && !has(current, value));
  return [...current.filter((value) => !has(removed, value)), ...added];
}

function listOf<T = Fields>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function byKey(list: readonly Fields[], key: string): Map<string, Fields> {
  return new Map(list.map((element) => [String(element[key]), element]));
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
