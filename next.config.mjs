/** @type {import('next').NextConfig} */
const nextConfig = {
  // The web role is a custom server (server/web/main.ts) so Socket.IO shares the port:
  // `output: 'standalone'` is incompatible with that (see ENVIRONMENT.md).
  poweredByHeader: false,
  reactStrictMode: true,
  allowedDevOrigins: ["127.0.0.1"],
  // Server-only packages that must not be bundled.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@nats-io/transport-node", "@nats-io/jetstream"],
  // `npm run typecheck` (run by `npm test`) checks the whole project once; the build skips a
  // second, slower pass over the same files.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
