import { describe, expect, it } from 'vitest';
import { markdown, replyToHtml } from './web-adapter.ts';

describe('replyToHtml', () => {
  it('shows an embed image from the reply’s own file inline, and no second copy below', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    const html = replyToHtml({
      embeds: [
        {
          title: 'Form +3.0',
          color: 0x23a55a,
          image: 'attachment://pmc.png',
          fields: [{ name: 'CTL', value: '61.2', inline: true }],
        },
      ],
      files: [{ name: 'pmc.png', data: png, description: 'PMC chart' }],
    });
    expect(html).toContain(
      `<img class="image" src="data:image/png;base64,${png.toString('base64')}" alt="PMC chart">`,
    );
    expect(html.match(/<img /g)).toHaveLength(1);
    expect(html).toContain('border-left-color:#23a55a');
    expect(html).toContain(
      '<div class="field inline"><div class="name">CTL</div><div class="value">61.2</div></div>',
    );
  });

  it('escapes everything a reply carries: no markup from an activity name or a coach answer', () => {
    const html = replyToHtml({
      content: '<script>alert(1)</script> **bold**',
      embeds: [{ title: '"><img src=x onerror=alert(1)>', url: 'javascript:alert(1)' }],
      components: [[{ kind: 'link', label: 'x', url: 'javascript:alert(1)' }]],
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold</strong>');
  });

  it('keeps action buttons for the button handler, within Discord’s limits', () => {
    const html = replyToHtml({
      components: [
        [
          { kind: 'action', label: 'Next week ▶', customId: 'plan:week:2026-12-07', style: 'secondary' },
          { kind: 'link', label: 'View on Strava', url: 'https://www.strava.com/activities/1' },
        ],
      ],
    });
    expect(html).toContain(
      '<button type="button" class="button secondary" data-custom-id="plan:week:2026-12-07">Next week ▶</button>',
    );
    expect(html).toContain('href="https://www.strava.com/activities/1"');
  });

  it('cuts content at Discord’s 2000 characters, as the Discord adapter does', () => {
    const html = replyToHtml({ content: 'a'.repeat(2500) });
    expect(html).toContain(`${'a'.repeat(1999)}…`);
    expect(html).not.toContain('a'.repeat(2000));
  });
});

describe('markdown', () => {
  it('renders the Discord markdown replies use, code untouched', () => {
    expect(markdown('**Form** is *fresh*, see `/form days:42`\n> quoted')).toBe(
      '<strong>Form</strong> is <em>fresh</em>, see <code>/form days:42</code><br><span class="quote">quoted</span>',
    );
    expect(markdown('`**not bold**`')).toBe('<code>**not bold**</code>');
    expect(markdown('[Strava](https://strava.com/a?b=1&c=2)')).toBe(
      '<a href="https://strava.com/a?b=1&amp;c=2" rel="noopener noreferrer" target="_blank">Strava</a>',
    );
  });
});
