export const id = 276;
export const ids = [276];
export const modules = {

/***/ 9276:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   cacheWorker: () => (/* binding */ cacheWorker)
/* harmony export */ });
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2641);
/* harmony import */ var _cache_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3745);


// Each request's own limit; the parent bounds the whole child and ends it, sockets and all, when that passes.
const REQUEST_MS = 5000;
/**
 * The child process that talks to the Actions cache (`node dist/index.js cache restore|save KEY FILE`, in the entry's folder): the toolkit
 * has no overall timeout and a hung service would keep the step's own process alive, so it runs apart and is ended.
 */
async function cacheWorker([verb, key, file, ...others]) {
    const result = await attempt(verb, key, file, others).catch((error) => ({ why: error.message }));
    process.stdout.write(`\n${_cache_js__WEBPACK_IMPORTED_MODULE_1__/* .RESULT_MARK */ .oT}${JSON.stringify(result)}\n`);
}
/** `others` are restore keys, in order: whole keys here, so each matches its own entry only. */
async function attempt(verb, key, file, others) {
    if (verb === 'restore') {
        const matched = await _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3([file], key, others, { timeoutInMs: REQUEST_MS, segmentTimeoutInMs: REQUEST_MS });
        return { hit: matched === key, matched };
    }
    if (verb === 'save')
        return { saved: (await _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .saveCache */ .Io([file], key)) !== -1 };
    throw new Error(`unknown cache verb "${verb}"`);
}


/***/ })

};
