// CSS modules as Next.js compiles them (next-env.d.ts declares the same, but it exists only after a build).
declare module "*.module.css" {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}
