import styles from '../logs.module.css';

/** Status code coloured by class. */
export function StatusCode({ status }: { status: number }) {
  const cls = status >= 500 ? styles.status5 : status >= 400 ? styles.status4 : styles.status2;
  return <span className={cls}>{status}</span>;
}
