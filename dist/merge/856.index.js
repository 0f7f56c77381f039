export const id = 856;
export const ids = [856];
export const modules = {

/***/ 4856:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  parseRecord: () => (/* binding */ parseRecord)
});

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 17 modules
var schemas = __webpack_require__(8816);
;// CONCATENATED MODULE: ./src/compare/record.ts
/**
 * What a run measured of one commit, kept in the Actions cache so that a later comparison reads it instead of
 * rebuilding the commit: per platform, everything a comparison and the "why it grew" split need of a base.
 * Bumped whenever the schema or what goes into the key changes, so an older entry is never read as a newer one.
 */
// 2: the split counts embedded data, which a format-1 split left unexplained (a base of format 1 would show it as growth).
// 3: the split places the function table, type descriptors and strings by package, and counts only them as explained.
const RECORD_FORMAT = 3;
/** What a finished target measured, as it is stored. */
function recordOf(target, commit, run, zstd) {
    return {
        format: RECORD_FORMAT,
        commit,
        run,
        goVersion: target.packed[0].binary.goVersion,
        images: target.measurement.images.map(measured => {
            const packed = target.packed.find(p => p.binary.platform.id === measured.platform);
            if (!packed)
                throw new Error(`no binary was built for ${measured.platform}`);
            return {
                platform: measured.platform,
                wire: measured.wire,
                unpacked: measured.unpacked,
                configSize: measured.configSize,
                layers: measured.layers.map(layer => ({ size: layer.size, unpacked: layer.unpacked })),
                binary: packed.size,
                breakdown: packed.binary.breakdown,
                zstd: zstd?.get(measured.platform)
            };
        })
    };
}
/** The record as the comparison reads a base. */
function baseImagesOf(record) {
    return record.images.map(({ platform, wire, unpacked, configSize, binary, breakdown, zstd }) => ({
        platform,
        wire,
        unpacked,
        configSize,
        binary,
        breakdown,
        zstd
    }));
}
/** The cache key: the format, what shapes the image, and the commit; nothing else may ever match it. */
function recordKey(fingerprint, commit) {
    return `go-slim-image-m${RECORD_FORMAT}-${fingerprint}-${commit}`;
}

;// CONCATENATED MODULE: ./src/compare/record-schema.ts


// Loaded only when an entry is read: the schema library is not needed by a run that reads none.
const count = schemas/* number */.aig().int().nonnegative();
// What a stored value may be is what Go and the action make of it: a record another branch wrote is shown in the
// comment, so it is held to that (and escaped where it is placed all the same).
// An import path as Go allows one (golang.org/x/mod/module: letters, digits and - . _ ~ +, /-separated; % of the
// linker's escapes).
const importPath = schemas/* string */.YjP()
    .max(500)
    .regex(/^[A-Za-z0-9\-._~+%/]+$/, 'an import path');
// A module version: semver (a pseudo-version, +incompatible) or (devel).
const version = schemas/* string */.YjP()
    .max(200)
    .regex(/^(?:v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?|\(devel\))$/, 'a module version');
// A replacement (a module path and version, or a folder) or a version with its replacement: one line of plain text.
const replacement = schemas/* string */.YjP()
    .max(1000)
    .regex(/^[^\p{Cc}`<>[\]]*$/u, 'a version or a replacement');
// The action's own names of the rows that are not packages ("standard library", "Go runtime", "linker tables …").
const rowLabel = schemas/* string */.YjP().regex(/^[\w .,()*:/-]{1,120}$/, 'a row name');
const moduleVersion = schemas/* object */.Ikc({ path: importPath, version, replacedBy: replacement.optional() });
const breakdown = schemas/* object */.Ikc({
    binary: count,
    explained: count,
    rows: schemas/* array */.YOg(schemas/* discriminatedUnion */.gMt('kind', [
        schemas/* object */.Ikc({ key: importPath, kind: schemas/* enum */.k5n(['package', 'module']), version: replacement.optional(), bytes: count, embedded: count.optional() }),
        schemas/* object */.Ikc({ key: rowLabel, kind: schemas/* enum */.k5n(['std', 'runtime', 'other']), bytes: count, embedded: count.optional() })
    ]))
        .max(100000),
    info: schemas/* object */.Ikc({ mainPackage: importPath.or(schemas/* literal */.euz('')), mainModule: importPath.or(schemas/* literal */.euz('')), deps: schemas/* array */.YOg(moduleVersion).max(20000) })
});
const record_schema_image = schemas/* object */.Ikc({
    platform: schemas/* string */.YjP().regex(/^[\w.-]+\/[\w.-]+(?:\/[\w.-]+)?$/),
    wire: count,
    unpacked: count,
    configSize: count,
    layers: schemas/* array */.YOg(schemas/* object */.Ikc({ size: count, unpacked: count })),
    /** The file in the image: packed when UPX packed it. */
    binary: count,
    breakdown: breakdown.optional(),
    zstd: schemas/* object */.Ikc({
        level: schemas/* number */.aig().int().min(1).max(22),
        wire: count,
        from: schemas/* object */.Ikc({ commit: schemas/* string */.YjP().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/), layers: count }).optional()
    })
        .optional()
});
const schema = schemas/* object */.Ikc({
    format: schemas/* literal */.euz(RECORD_FORMAT),
    commit: schemas/* string */.YjP().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/),
    /** The workflow run that measured it, linked from the report: an http(s) URL and nothing that could end the link. */
    run: schemas/* string */.YjP()
        .regex(/^https?:\/\/[^\s()<>[\]`]+$/)
        .optional(),
    // Shown in the comment: a Go release name (go1.26.0, devel go1.27-abc…), no Markdown.
    goVersion: schemas/* string */.YjP().regex(/^[\w.+:/ -]{1,100}$/),
    images: schemas/* array */.YOg(record_schema_image).min(1)
});
/** An entry read back: the record, or why it cannot be used (it is then rebuilt, never trusted in part). */
function parseRecord(text, commit, platforms) {
    let json;
    try {
        json = JSON.parse(text);
    }
    catch (error) {
        return { why: `it is not JSON (${error.message})` };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return { why: `it does not match the format (${issue.path.join('.') || 'the entry'}: ${issue.message})` };
    }
    const record = parsed.data;
    if (record.commit !== commit)
        return { why: `it is the measurement of ${record.commit.slice(0, 12)}, not of ${commit.slice(0, 12)}` };
    const missing = platforms.filter(p => !record.images.some(i => i.platform === p));
    if (missing.length > 0)
        return { why: `it has no measurement of ${missing.join(', ')}` };
    return { record };
}


/***/ })

};
