import { Button } from '~/components/ui/button';

/** Edit (toggles the row's form) and Delete, for a row of the AI settings lists. */
export function RowActions(props: {
  editing: boolean;
  onToggleEdit: () => void;
  deleteLabel: string;
  deleting: boolean;
  onDelete: () => void;
}) {
  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" size="sm" aria-expanded={props.editing} onClick={props.onToggleEdit}>
        {props.editing ? 'Close' : 'Edit'}
      </Button>
      <Button
        variant="danger"
        size="sm"
        aria-label={props.deleteLabel}
        disabled={props.deleting}
        onClick={props.onDelete}
      >
        Delete
      </Button>
    </div>
  );
}
