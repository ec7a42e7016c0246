/** Edit (toggles the row's inline form) and Delete, for a row of the AI settings lists. */
export function RowActions(props: {
  editing: boolean;
  onToggleEdit: () => void;
  deleteLabel: string;
  deleting: boolean;
  onDelete: () => void;
}) {
  return (
    <div className="actions">
      <button type="button" className="secondary" aria-expanded={props.editing} onClick={props.onToggleEdit}>
        {props.editing ? 'Close' : 'Edit'}
      </button>
      <button
        type="button"
        className="secondary"
        aria-label={props.deleteLabel}
        disabled={props.deleting}
        onClick={props.onDelete}
      >
        Delete
      </button>
    </div>
  );
}
