import { isAuthApiError, isAuthWeakPasswordError, type AuthError } from '@supabase/supabase-js';

const REASONS: Record<string, string> = {
  length: 'it is too short',
  characters: 'it is too simple (one repeated character, or your email)',
  pwned: 'it is a very common password',
};

/** What /auth/v1 said (GoTrue's codes, docs/auth.md), as a sentence that says what to do. */
export function authErrorMessage(error: AuthError): string {
  if (isAuthWeakPasswordError(error)) {
    const why = error.reasons.map((r) => REASONS[r] ?? r).join(', ');
    return `Choose a stronger password: ${why || 'it does not meet the policy'}.`;
  }
  if (isAuthApiError(error)) {
    switch (error.code) {
      case 'invalid_credentials':
        return 'The email or password is wrong. Check both and try again.';
      case 'user_already_exists':
        return 'An account with this email already exists. Sign in instead.';
      case 'user_banned':
        return 'This account is disabled. Ask the platform operator to enable it.';
      case 'signup_disabled':
        return 'Sign-up is closed on this platform. Ask its operator for an account.';
      case 'over_request_rate_limit':
        return 'Too many attempts. Wait a few minutes, then try again.';
      case 'email_not_confirmed':
        return 'Confirm your email address first: follow the link in the mail we sent when you signed up.';
      case 'otp_expired':
        return 'This link is invalid, already used or expired (links work once, for an hour). Ask for a new one.';
      case 'over_email_send_rate_limit':
        return `We just sent a mail to this address. ${error.message} Check your inbox (and spam folder) meanwhile.`;
      case 'same_password':
        return 'The new password is the one you have now. Choose a different one.';
      case 'session_not_found':
        return 'Your session ended. Sign in again, or ask for a new reset link.';
      case 'validation_failed':
        return `${error.message}. Check the email address.`;
      default:
        return error.message;
    }
  }
  return `Could not reach the platform (${error.message}). Check your connection and try again.`;
}
