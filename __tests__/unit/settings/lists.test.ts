import { parseList, quoteField, splitFields } from '../../../src/settings/lists.js'

describe('lists', () => {
  it('splits fields like the go command, quotes grouping', () => {
    expect(splitFields(` -X 'main.Name=a b'  -X "main.Q=it's" -s `)).toEqual(['-X', 'main.Name=a b', '-X', "main.Q=it's", '-s'])
    expect(splitFields('')).toEqual([])
  })
  it('quotes only what needs it, and round-trips', () => {
    for (const field of ['plain', 'a b', "it's", 'say "hi"', '$(rm -rf /)']) expect(splitFields(quoteField(field))).toEqual([field])
    expect(quoteField('main.Version=1.0')).toBe('main.Version=1.0')
  })
  it('drops blanks and comments', () => {
    expect(parseList('a,b\n\n# note\nc', { commas: true })).toEqual(['a', 'b', 'c'])
  })
})
