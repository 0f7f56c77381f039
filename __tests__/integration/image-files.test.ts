/**
 * What real services need besides the binary (seeds 003 and 004, and a service that creates its database file
 * in its working directory): extra files, time-zone data, and a workdir the non-root user can write.
 */
import { docker, fileInImage, git, goModule, ociLayoutOf, readOciImages, requireTools, runAction } from './harness.js'

beforeAll(() => requireTools('go', 'docker', 'git'))

const SERVICE = `package main

import (
\t"fmt"
\t"mime"
\t"os"
\t"time"
)

func main() {
\tfmt.Println("mime:", mime.TypeByExtension(".webmanifest"))
\tconfig, err := os.ReadFile("/etc/app/app.yaml")
\tfmt.Printf("config: %s %v\\n", config, err)
\tberlin, err := time.LoadLocation("Europe/Berlin")
\tif err == nil {
\t\tfmt.Println("tz:", time.Date(2026, 1, 1, 12, 0, 0, 0, berlin).Format("MST"))
\t} else {
\t\tfmt.Println("tz:", err)
\t}
\tfmt.Println("write:", os.WriteFile("notes.db", []byte("ok"), 0o600))
}
`

describe('files, time zones and a writable workdir', () => {
  it('each file is its own named layer, time zones load, and uid 65532 writes to its workdir', async () => {
    const dir = goModule({ 'go.mod': 'module example.com/notes\n\ngo 1.22\n', 'cmd/notes/main.go': SERVICE, 'config/app.yaml': 'greeting: hello\n' })
    git(dir, 'init', '-q')
    const image = `slim-test/notes-${Date.now()}`
    const run = await runAction(
      { image, version: '1.0.0', files: '/etc/mime.types:/etc/mime.types\nconfig/app.yaml:/etc/app/app.yaml', tzdata: 'true', workdir: '/data' },
      { workspace: dir }
    )
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    const out = docker('run', '--rm', '--network', 'none', `${image}:1.0.0`)
    expect(out).toContain('mime: application/manifest+json')
    expect(out).toContain('config: greeting: hello\n <nil>')
    expect(out).toContain('tz: CET')
    expect(out).toContain('write: <nil>')
    // The layers the report names are the image's: the mime.types layer holds that file, byte for byte.
    const oci = ociLayoutOf(run)
    const [only] = readOciImages(oci)
    // certificates, time zones, two files, the workdir, the binary, and WORKDIR's own (empty) layer
    expect(only.manifest.layers).toHaveLength(7)
    expect(fileInImage(oci, { ...only.manifest, layers: [only.manifest.layers[2]] }, 'etc/mime.types').toString()).toContain('webmanifest')
    const mimeLayer = only.manifest.layers[2].size
    expect(run.summary).toContain(`${mimeLayer} (/etc/mime.types (from /etc/mime.types))`)
    expect(run.summary).toMatch(/\d+ \(time-zone data \/usr\/share\/zoneinfo\)/)
    expect(run.summary).toMatch(/\d+ \(workdir \/data, owned by 65532\) \+ \d+ \(binary\) \+ 32 \(WORKDIR \/data\)/)
    docker('image', 'rm', `${image}:1.0.0`)
  })

  it('a files source outside the workspace and the system folders is refused before any build', async () => {
    const dir = goModule({ 'go.mod': 'module example.com/x\n\ngo 1.22\n', 'main.go': 'package main\n\nfunc main() {}\n' })
    const run = await runAction({ files: '/root/.ssh/id_rsa:/key' }, { workspace: dir })
    expect(run.code).toBe(1)
    expect(run.errors[0]).toContain('files source "/root/.ssh/id_rsa" must be in the workspace or under /etc/')
    expect(run.stdout).not.toContain('go build')
  })
})
