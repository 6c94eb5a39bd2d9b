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
  // forbidden(): pages answer 403 with app/forbidden.tsx when the role is missing.
  experimental: { authInterrupts: true },
  // The CSP (with a per-request nonce) is set in proxy.ts; these hold for every response.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
