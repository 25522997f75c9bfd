/**
 * The runner scripts' command line (run.ts, sides.ts, round-trip-sides.ts, store-and-forward.ts): what
 * follows the script, without the `--` that `pnpm bench -- …` passes on.
 */
export const argv: readonly string[] = process.argv.slice(2).filter((arg) => arg !== "--")

/** The value after `name` (`--size 64`), or `fallback` when `name` is not given. */
export function option(name: string): string | undefined
export function option(name: string, fallback: string): string
export function option(name: string, fallback?: string): string | undefined {
  const index = argv.indexOf(name)
  return index < 0 ? fallback : argv[index + 1]
}
