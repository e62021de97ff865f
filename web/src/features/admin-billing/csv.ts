import { PlatformApiError, unwrap } from '../../api/errors';
import { saveFile } from '../../components/save-file';

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
  saveFile(new Blob([result.data], { type: 'text/csv' }), filename);
  return filename;
}
