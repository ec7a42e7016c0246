import { FieldShell } from '~/components/ui/field';

export interface VersionOption {
  value: string;
  label: string;
}

function VersionSelect({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: VersionOption[];
  onChange: (value: string) => void;
}) {
  return (
    <FieldShell id={id} label={label} className="min-w-0 flex-[1_1_12rem]">
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

/** The two versions to compare. */
export function VersionPickers({
  from,
  to,
  options,
  onChoose,
}: {
  from: string;
  to: string;
  options: VersionOption[];
  onChoose: (next: { from?: string; to?: string }) => void;
}) {
  return (
    <div className="flex flex-wrap gap-x-4">
      <VersionSelect
        id="compare-from"
        label="From"
        value={from}
        options={options}
        onChange={(v) => onChoose({ from: v })}
      />
      <VersionSelect
        id="compare-to"
        label="To"
        value={to}
        options={options}
        onChange={(v) => onChoose({ to: v })}
      />
    </div>
  );
}
