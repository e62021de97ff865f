import { PlatformApiError, unwrap } from '../../api/errors';

/**
 * A CSV export of the API (`format=csv`), read with the generated client as text and saved as a
 * file in the browser (no URL with data in it leaves the page). A refusal arrives as text too: its
 * JSON error body is read back so the page shows the API's code and message, not a bare status.
 */
export function saveCsv(result: { data?: unknown; error?: unknown; response: Response }, filename: string): string {
  if (!result.response.ok) {
    let body: unknown = result.error;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Not the platform's error shape: unwrap names the status instead.
      }
    }
    unwrap({ error: body, response: result.response });
  }
  if (typeof result.data !== 'string') throw new PlatformApiError(result.response.status, 'unexpected_response', 'The platform answered without a CSV body.', undefined, []);
  const url = URL.createObjectURL(new Blob([result.data], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled, so the download has its bytes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return filename;
}
