import { describe, expect, it } from 'vitest';
import { planTools } from './plan-tools.ts';
import { coachTools, toolDefinitions } from './tools.ts';

/** Every object schema and property in a JSON Schema, with where it is. */
function walk(schema: unknown, at: string, visit: (node: Record<string, unknown>, at: string) => void): void {
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => {
      walk(item, `${at}[${i}]`, visit);
    });
    return;
  }
  if (!schema || typeof schema !== 'object') return;
  const node = schema as Record<string, unknown>;
  visit(node, at);
  for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`, visit);
}

describe('tool schemas', () => {
  it('are strict and describe every parameter, so a bad argument is an error the model can act on', () => {
    const problems: string[] = [];
    for (const tool of toolDefinitions([...coachTools, ...planTools])) {
      walk(tool.function.parameters, tool.function.name, (node, at) => {
        if (node.type === 'object' && node.additionalProperties !== false)
          problems.push(`${at}: additionalProperties is not false`);
        if (node.type === 'object' && node.properties)
          for (const [name, property] of Object.entries(node.properties as Record<string, unknown>)) {
            const described = (property as { description?: unknown }).description;
            if (typeof described !== 'string' || described === '')
              problems.push(`${at}.${name}: no description`);
          }
      });
      expect(tool.function.description.length).toBeGreaterThan(10);
    }
    expect(problems).toEqual([]);
  });

  it('leave regex patterns to the validation, out of what the model reads', () => {
    expect(JSON.stringify(toolDefinitions([...coachTools, ...planTools]))).not.toContain('"pattern"');
  });
});
