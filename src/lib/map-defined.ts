// `f(value)` when there is a value: an Optional's map, for lookups that may find nothing.
export function mapDefined<T, U>(value: T | undefined, f: (v: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}
