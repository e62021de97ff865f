/**
 * Saves bytes as a file in the browser, through an object URL (no URL with data in it leaves the
 * page). Revoked after the click has been handled, so the download has its bytes.
 */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
