export const id = 816;
export const ids = [816];
export const modules = {

/***/ 6816:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   parseRecord: () => (/* binding */ parseRecord)
/* harmony export */ });
/* unused harmony export historyPoint */
/* harmony import */ var zod__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8816);
/* harmony import */ var _record_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(622);


// Loaded only when an entry is read: the schema library is not needed by a run that reads none.
const count = zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().nonnegative();
// What a stored value may be is what Go and the action make of it: a record another branch wrote is shown in the
// comment, so it is held to that (and escaped where it is placed all the same).
// An import path as Go allows one (golang.org/x/mod/module: letters, digits and - . _ ~ +, /-separated; % of the
// linker's escapes).
const importPath = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .max(500)
    .regex(/^[A-Za-z0-9\-._~+%/]+$/, 'an import path');
// A module version: semver (a pseudo-version, +incompatible) or (devel).
const version = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .max(200)
    .regex(/^(?:v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?|\(devel\))$/, 'a module version');
// A replacement (a module path and version, or a folder) or a version with its replacement: one line of plain text.
const replacement = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
    .max(1000)
    .regex(/^[^\p{Cc}`<>[\]]*$/u, 'a version or a replacement');
// The action's own names of the rows that are not packages ("standard library", "Go runtime", "linker tables …").
const rowLabel = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[\w .,()*:/-]{1,120}$/, 'a row name');
const moduleVersion = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ path: importPath, version, replacedBy: replacement.optional() });
const breakdown = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    binary: count,
    explained: count,
    rows: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .discriminatedUnion */ .gMt('kind', [
        zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ key: importPath, kind: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['package', 'module']), version: replacement.optional(), bytes: count, embedded: count.optional() }),
        zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ key: rowLabel, kind: zod__WEBPACK_IMPORTED_MODULE_0__/* ["enum"] */ .k5n(['std', 'runtime', 'other']), bytes: count, embedded: count.optional() })
    ]))
        .max(100000),
    info: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ mainPackage: importPath.or(zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz('')), mainModule: importPath.or(zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz('')), deps: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(moduleVersion).max(20000) })
});
const platform = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[\w.-]+\/[\w.-]+(?:\/[\w.-]+)?$/);
const commit = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/);
// Shown in the comment: a Go release name (go1.26.0, devel go1.27-abc…), no Markdown.
const goVersion = zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[\w.+:/ -]{1,100}$/);
/**
 * A point of a branch's history as stored: numbers, hex and checked names only, but the version, which is the
 * repository's own text (a tag) and is only ever shown in a code span, never placed in the chart.
 */
const historyPoint = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    commit,
    date: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/)
        .optional(),
    version: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .regex(/^[^\p{Cc}\u2028\u2029]{1,200}$/u)
        .optional(),
    goVersion,
    shape: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP().regex(/^[0-9a-f]{32}$/),
    images: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ platform, wire: count, binary: count }))
        .min(1)
        .max(32)
});
const image = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    platform,
    wire: count,
    unpacked: count,
    configSize: count,
    layers: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ size: count, unpacked: count })),
    /** The file in the image: packed when UPX packed it. */
    binary: count,
    breakdown: breakdown.optional(),
    zstd: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
        level: zod__WEBPACK_IMPORTED_MODULE_0__/* .number */ .aig().int().min(1).max(22),
        wire: count,
        from: zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({ commit, layers: count }).optional()
    })
        .optional()
});
const schema = zod__WEBPACK_IMPORTED_MODULE_0__/* .object */ .Ikc({
    format: zod__WEBPACK_IMPORTED_MODULE_0__/* .literal */ .euz(_record_js__WEBPACK_IMPORTED_MODULE_1__/* .RECORD_FORMAT */ .q7),
    commit,
    /** The workflow run that measured it, linked from the report: an http(s) URL and nothing that could end the link. */
    run: zod__WEBPACK_IMPORTED_MODULE_0__/* .string */ .YjP()
        .regex(/^https?:\/\/[^\s()<>[\]`]+$/)
        .optional(),
    goVersion,
    images: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(image).min(1),
    history: zod__WEBPACK_IMPORTED_MODULE_0__/* .array */ .YOg(historyPoint).max(200).optional()
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
