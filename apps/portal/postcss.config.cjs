// Tailwind CSS v4 as a PostCSS plugin (Next.js reads this file from the app's directory); globals.css
// says which sources it scans for class names.
module.exports = {
  plugins: {
    '@tailwindcss/postcss': {},
  },
};
