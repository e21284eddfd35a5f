// Text kept in a group status is cut to a bounded length: a status row must fit an Azure Table entity.
const MAX_STATUS_TEXT = 300;

export function clip(text: string): string {
  return text.length > MAX_STATUS_TEXT ? `${text.slice(0, MAX_STATUS_TEXT - 1)}…` : text;
}
