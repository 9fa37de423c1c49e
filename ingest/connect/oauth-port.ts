/** What the connect flow needs of Strava's OAuth; the Strava client provides it. */
export interface StravaOAuthPort {
  authorizeUrl: (params: { redirectUri: string; state: string }) => string;
  exchangeCode: (code: string) => Promise<ExchangedTokens>;
  deauthorize: (accessToken: string) => Promise<void>;
}

export interface ExchangedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  athlete: { id: number; firstname: string | null; lastname: string | null; sex: 'male' | 'female' | null };
}

/** Encrypts tokens before they touch the database, decrypts after (Fernet with key rotation). */
export interface TokenCipher {
  encrypt: (plaintext: string) => string;
  decrypt: (token: string) => string;
}

/** Thrown by `exchangeCode` when Strava refuses the connection because the app is at its athlete cap. */
export class AthleteLimitReachedError extends Error {
  override name = 'AthleteLimitReachedError';
}
