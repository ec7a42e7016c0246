import type { NextConfig } from 'next';
import { publicUrlFrom, securityHeaders } from './src/server/security/headers';

const config: NextConfig = {
  reactStrictMode: true,
  // Internal packages ship TypeScript source.
  transpilePackages: ['@portcullis/core', '@portcullis/db', '@portcullis/billing'],
  // Native and driver packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ['@node-rs/argon2', 'pg', '@prisma/adapter-pg', '@prisma/client', 'nodemailer'],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: securityHeaders({
          publicUrl: publicUrlFrom(process.env),
          development: process.env.NODE_ENV === 'development',
        }),
      },
    ];
  },
};

export default config;
