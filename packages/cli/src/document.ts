import { parse, stringify, YAMLParseError } from 'yaml';

export class DocumentError extends Error {}

/** YAML (or JSON, a subset) into a value; errors name the file, line and column. */
export function parseDocumentText(text: string, file: string): unknown {
  try {
    return parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      const where = at ? `${file}:${at.line}:${at.col}` : file;
      const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
      throw new DocumentError(`${where}: ${reason}`);
    }
    throw error;
  }
}

export const documentToYaml = (document: unknown): string =>
  stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
