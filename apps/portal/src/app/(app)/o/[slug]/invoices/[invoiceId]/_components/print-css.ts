/** Printing shows the invoice alone: no site navigation, breadcrumbs or buttons, no card chrome. */
export const PRINT_CSS = `
@media print {
  .site-header, .crumbs, .no-print { display: none !important; }
  body { background: #fff; }
  .container { max-width: none; padding: 0; }
  .invoice { border: none; padding: 0; margin: 0; }
  .invoice table th, .invoice table td { padding: 0.3rem 0.4rem; }
  .invoice a { color: inherit; text-decoration: none; }
}
.invoice .local-note { border-left: 3px solid var(--border); padding-left: 0.75rem; }
`;
