/** Zero-config on the layouts real repositories have: cmd/NAME, several commands, a module in a subfolder. */
import { docker, fileInImage, git, goModule, ociLayoutOf, readOciImages, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

const unique = () => Date.now().toString(36)
const MAIN = (text: string) => `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("${text}") }\n`

describe('where the main package is', () => {
  it('cmd/NAME: the only main package is built with no input, and the binary is named as go build names it', async () => {
    const dir = goModule({
      'go.mod': 'module github.com/acme/served-app\n\ngo 1.22\n',
      'server.go': 'package servedapp\n\nfunc Name() string { return "served" }\n',
      'cmd/served/main.go':
        'package main\n\nimport (\n\t"fmt"\n\n\tservedapp "github.com/acme/served-app"\n)\n\nfunc main() { fmt.Println(servedapp.Name()) }\n'
    })
    const image = `slim-test/served-${unique()}`
    const run = await runAction({ image, version: '1.0.0' }, { workspace: dir })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("building ./cmd/served, the module's only main package")
    const oci = ociLayoutOf(run)
    const [only] = readOciImages(oci)
    expect(fileInImage(oci, only.manifest, 'usr/bin/served').length).toBe(Number(run.outputs['binary-size']))
    expect(only.config.config.Entrypoint).toEqual(['/usr/bin/served'])
    expect(docker('run', '--rm', '--network', 'none', `${image}:1.0.0`)).toBe('served')
    docker('image', 'rm', `${image}:1.0.0`)
  })

  it('several commands: fails before building, listing them', async () => {
    const dir = goModule({ 'go.mod': 'module example.com/tools\n\ngo 1.22\n', 'cmd/api/main.go': MAIN('api'), 'cmd/worker/main.go': MAIN('worker') })
    const run = await runAction({}, { workspace: dir })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual(['package . is not a main package, and the module has 2: set package to one of ./cmd/api, ./cmd/worker'])
    expect(run.stdout).not.toContain('go build -trimpath')
  })

  it('go.mod in a subfolder: the error names the folder to set', async () => {
    const dir = goModule({ 'services/api/go.mod': 'module example.com/api\n\ngo 1.22\n', 'services/api/main.go': MAIN('api'), 'README.md': '# monorepo\n' })
    git(dir, 'init', '-q')
    const run = await runAction({}, { workspace: dir })
    expect(run.code).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0]).toContain('has no go.mod: set working-directory to the module root, one of "services/api"')
  })

  it('go.mod in a subfolder with several commands: one error names the folder and the packages, so one retry is enough', async () => {
    const dir = goModule({
      'services/api/go.mod': 'module example.com/api\n\ngo 1.22\n',
      'services/api/cmd/serve/main.go': MAIN('serve'),
      'services/api/cmd/migrate/main.go': MAIN('migrate')
    })
    git(dir, 'init', '-q')
    const failed = await runAction({}, { workspace: dir })
    expect(failed.errors).toHaveLength(1)
    expect(failed.errors[0]).toContain('one of "services/api" (main packages ./cmd/migrate, ./cmd/serve: set package to one of them too)')
    const retried = await runAction({ 'working-directory': 'services/api', package: './cmd/serve', load: 'false' }, { workspace: dir })
    expect(retried.errors).toEqual([])
    expect(retried.code).toBe(0)
  })

  it('a program that dials TLS on scratch is warned, by import path', async () => {
    const dir = goModule({
      'go.mod': 'module example.com/fetcher\n\ngo 1.22\n',
      'cmd/fetch/main.go':
        'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n\t"os"\n)\n\nfunc main() {\n\tif len(os.Args) > 1 {\n\t\tr, err := http.Get(os.Args[1])\n\t\tfmt.Println(r, err)\n\t}\n}\n'
    })
    const run = await runAction({ 'final-stage': 'scratch', load: 'false' }, { workspace: dir })
    expect(run.code).toBe(0)
    const warning = run.warnings.find(w => w.includes('x509roots'))
    expect(warning).toMatch(/^example\.com\/fetcher\/cmd\/fetch makes TLS connections/)
  })
})
