import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  // Internal packages ship TypeScript source.
  transpilePackages: ['@portcullis/core', '@portcullis/db', '@portcullis/billing'],
  // Native and driver packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ['@node-rs/argon2', 'pg', '@prisma/adapter-pg', '@prisma/client', 'nodemailer'],
  poweredByHeader: false,
};

export default config;
