import { describe, expect, it } from 'vitest';
import { ConfigError, describeDisabled, loadConfig, requireFeature } from './config.ts';

const fernetKey = Buffer.alloc(32, 7).toString('base64url');

describe('loadConfig', () => {
  it('needs nothing: every feature off, sensible defaults', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeNull();
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.discord).toBeNull();
    expect(config.strava).toBeNull();
    expect(config.coach.stravaData).toBe('include');
    expect(config.coach.timeoutMs).toBe(45_000);
    expect(describeDisabled(config)).toEqual([
      'Discord bot is off: set DISCORD_TOKEN, DISCORD_APP_ID',
      'Strava connect, webhooks and sync are off: set STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET, STRAVA_WEBHOOK_SECRET, STRAVA_VERIFY_TOKEN, TOKEN_ENCRYPTION_KEY',
      'AI coach is off (the rule-based coach answers instead): set OPENAI_API_KEY',
    ]);
  });

  it('reads the model timeout in seconds and refuses one out of range', () => {
    expect(loadConfig({ OPENAI_TIMEOUT_SECONDS: '180' }).coach.timeoutMs).toBe(180_000);
    expect(() => loadConfig({ OPENAI_TIMEOUT_SECONDS: '0' })).toThrow(/OPENAI_TIMEOUT_SECONDS/);
    expect(() => loadConfig({ OPENAI_TIMEOUT_SECONDS: 'soon' })).toThrow(/OPENAI_TIMEOUT_SECONDS/);
  });

  it('treats empty values as unset (as .env.example leaves them)', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).port).toBe(3000);
  });

  it('names every malformed variable, never its value, with the .env.example line', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        PUBLIC_URL: 'not a url',
        TOKEN_ENCRYPTION_KEY: 'sekrit-value',
        DISCORD_APP_ID: '12',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'PUBLIC_URL',
      'PORT',
      'LOG_LEVEL',
      'DISCORD_APP_ID',
      'TOKEN_ENCRYPTION_KEY',
    ]);
    expect(problems.every((p) => /\(see \.env\.example line \d+\)$/.test(p))).toBe(true);
    expect((error as Error).message).not.toContain('sekrit-value');
  });

  it('parses complete feature groups and key lists', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'token',
      DISCORD_APP_ID: '123456789012345678',
      STRAVA_CLIENT_ID: '1234',
      STRAVA_CLIENT_SECRET: 'secret',
      STRAVA_WEBHOOK_SECRET: 'abcdefghijklmnop',
      STRAVA_VERIFY_TOKEN: 'verify',
      TOKEN_ENCRYPTION_KEY: `${fernetKey}, ${Buffer.alloc(32, 9).toString('base64url')}`,
      PUBLIC_URL: 'https://coach.example.org/',
    });
    expect(config.discord?.apiUrl).toBe('https://discord.com/api');
    expect(config.strava?.apiUrl).toBe('https://www.strava.com/api/v3');
    expect(config.tokenEncryptionKeys).toHaveLength(2);
    expect(config.publicUrl).toBe('https://coach.example.org');
    expect(config.disabled.map((d) => d.feature)).toEqual(['coach-ai']);
  });

  it('requireFeature names what is missing for a command that needs it', () => {
    const config = loadConfig({ STRAVA_CLIENT_ID: '1234' });
    expect(() => requireFeature(config, 'strava')).toThrow(/STRAVA_CLIENT_SECRET: required for strava/);
  });
});
