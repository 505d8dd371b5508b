import { expect, it } from 'vitest';
import { markdownTable } from './table.js';

it('lays out a Markdown table: header, rule, one line a row', () => {
  expect(
    markdownTable(
      ['model', 'fps'],
      [
        ['a', '1.5'],
        ['b c', ''],
      ],
    ),
  ).toBe('| model | fps |\n|---|---|\n| a | 1.5 |\n| b c |  |');
});
