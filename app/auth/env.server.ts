/**
 * NODE_ENV as the process runs, not as the bundle was built: the Remix build inlines `process.env.NODE_ENV`
 * ("production" for `npm start` too); reading it through another name keeps the runtime value.
 */
export function runtimeNodeEnv(): string | undefined {
  const env = process.env;
  return env["NODE_ENV"];
}
