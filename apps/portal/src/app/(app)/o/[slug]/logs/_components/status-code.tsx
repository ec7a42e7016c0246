/** Status code coloured by class. */
export function StatusCode({ status }: { status: number }) {
  const tone = status >= 500 ? 'text-danger' : status >= 400 ? 'text-warn' : 'text-ok';
  return <span className={`font-bold ${tone}`}>{status}</span>;
}
