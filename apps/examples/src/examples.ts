/** Every runnable example by name, as `pnpm example <name>` finds it. */
export const examples: Readonly<Record<string, { readonly description: string; readonly load: () => Promise<{ main: (args: string[]) => Promise<void> }> }>> = {
  "codec-demo": {
    description: "Hello World over TCP with two bare @zmq-ts/zmtp connections, showing the wire bytes",
    load: () => import("./codec-demo.js"),
  },
}
