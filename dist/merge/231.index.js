export const id = 231;
export const ids = [231];
export const modules = {

/***/ 4231:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   commentOnPullRequest: () => (/* binding */ commentOnPullRequest)
/* harmony export */ });
/* unused harmony exports marker, CommentBudget, sameLogin, upsertComment, READ_ONLY_HELP */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6058);
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1758);
/* harmony import */ var _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9735);
/* harmony import */ var _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6856);
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6867);
/* harmony import */ var _process_index_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(369);






/** Hidden in the rendered comment; how the action finds its own comment again. */
const marker = (key) => `<!-- go-slim-image:${key} -->`;
/** The comment phase's time: every request, retry and rate-limit wait fits in it, or the phase gives up. */
class CommentBudget {
    seconds;
    abort = new AbortController();
    deadline;
    constructor(seconds) {
        this.seconds = seconds;
        this.deadline = Date.now() + seconds * 1000;
    }
    remainingMs() {
        return Math.max(0, this.deadline - Date.now());
    }
    /** Waiting `seconds` and asking again still ends within the budget. */
    allowsWait(seconds) {
        return seconds * 1000 + PER_REQUEST_MS < this.remainingMs();
    }
}
// A request that has not answered in this long will not: GitHub answers in well under a second.
const PER_REQUEST_MS = 15_000;
/** fetch with a per-request timeout and the phase's abort: a hung API never holds the job. */
function boundedFetch(budget) {
    return (input, init) => {
        const signals = [budget.abort.signal, AbortSignal.timeout(Math.min(PER_REQUEST_MS, budget.remainingMs() + 1))];
        if (init?.signal)
            signals.push(init.signal);
        return fetch(input, { ...init, signal: AbortSignal.any(signals) });
    };
}
function client(token, budget) {
    // One retry for 5xx; a rate limit is waited for once, and only when the wait fits in the budget.
    const onLimit = (kind) => (retryAfter, options, _octokit, retryCount) => {
        const wait = retryCount < 1 && budget.allowsWait(retryAfter);
        (0,_process_index_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq)(`GitHub ${kind} on ${options.method} ${options.url}: ${wait ? `retrying in ${retryAfter}s` : `the reset in ${retryAfter}s is past the comment budget`}`);
        return wait;
    };
    return _actions_github__WEBPACK_IMPORTED_MODULE_1__/* .getOctokit */ .Q(token, {
        request: { fetch: boundedFetch(budget) },
        throttle: { onRateLimit: onLimit('rate limit'), onSecondaryRateLimit: onLimit('secondary rate limit') },
        retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 451], retries: 1 }
    }, _octokit_plugin_retry__WEBPACK_IMPORTED_MODULE_4__/* .retry */ .L, _octokit_plugin_throttling__WEBPACK_IMPORTED_MODULE_5__/* .throttling */ .A);
}
/** REST writes a bot as `name[bot]`, GraphQL may write it as `name`: compare without the suffix. */
const sameLogin = (a, b) => a !== undefined && b !== undefined && a.replace(/\[bot\]$/, '') === b.replace(/\[bot\]$/, '');
/**
 * Who this token writes as. A personal token answers GET /user; installation tokens (GITHUB_TOKEN, a GitHub
 * App's) get 403 there but answer GraphQL's viewer. Undefined when neither answers: the created comment tells.
 */
async function identity(octokit) {
    try {
        return (await octokit.rest.users.getAuthenticated()).data.login;
    }
    catch {
        // an installation token: try GraphQL
    }
    try {
        return (await octokit.graphql('query { viewer { login } }')).viewer.login;
    }
    catch {
        return undefined;
    }
}
const statusOf = (error) => error.status;
/** What a failed call was doing, in words, and why: a malformed answer is named as such. */
function describeFailure(doing, error) {
    const message = error.message;
    if (error instanceof TypeError && /Cannot use 'in' operator|is not iterable|Cannot read properties/.test(message)) {
        return `${doing} failed: the API's answer is not the JSON GitHub sends (${message.slice(0, 120)})`;
    }
    if (error.name === 'AbortError' || /aborted|timeout/i.test(message))
        return `${doing} failed: no answer in time`;
    return `${doing} failed: ${message}`;
}
/**
 * Creates or updates the one comment of this key, written by this token's identity. When two runs race
 * and both create one, each then keeps the oldest and deletes the rest, so one comment remains. When the
 * identity is unknown, the comment created now names it, and the same clean-up keeps the older one.
 */
async function upsert(octokit, target, text) {
    const tag = marker(target.key);
    const body = `${tag}\n${text}`;
    const where = { owner: target.owner, repo: target.repo, issue_number: target.issueNumber };
    let doing = 'finding who the token writes as';
    try {
        let login = await identity(octokit);
        const ours = async (author) => {
            doing = `listing the comments of #${target.issueNumber}`;
            const all = await octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 });
            if (!Array.isArray(all))
                throw new TypeError(`Cannot read properties of a ${typeof all} answer`);
            return all.filter(c => sameLogin(c.user?.login, author) && c.body?.startsWith(`${tag}\n`)).sort((a, b) => a.id - b.id);
        };
        let mine = login ? await ours(login) : [];
        let status;
        if (mine.length === 0) {
            doing = `creating the comment on #${target.issueNumber}`;
            const created = await octokit.rest.issues.createComment({ ...where, body });
            login = created.data.user?.login ?? login;
            status = 'created';
            mine = await ours(login);
            // A list that lags behind the create still has the comment just made.
            if (mine.length === 0)
                mine = [created.data];
        }
        else {
            status = (0,_model_js__WEBPACK_IMPORTED_MODULE_2__/* .stableText */ .f$)(mine[0].body ?? '') === (0,_model_js__WEBPACK_IMPORTED_MODULE_2__/* .stableText */ .f$)(body) ? 'unchanged' : 'updated';
        }
        const [keep, ...extra] = mine;
        for (const comment of extra) {
            doing = `deleting the duplicate comment ${comment.id}`;
            // The other run may have deleted it first.
            await octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: comment.id }).catch(error => {
                if (statusOf(error) !== 404)
                    throw error;
            });
        }
        if (status !== 'unchanged' && keep.body !== body) {
            doing = `updating the comment ${keep.id}`;
            await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: keep.id, body });
            if (status === 'created')
                status = 'updated';
        }
        return { status, id: keep.id, url: keep.html_url };
    }
    catch (error) {
        const message = error.message;
        if (statusOf(error) === 403 && !/rate limit/i.test(message))
            return { status: 'read-only', message };
        return { status: 'failed', message: describeFailure(doing, error) };
    }
}
/** The sticky comment within `seconds`: past them every request is abandoned and the outcome says so. */
async function upsertComment(target, text, seconds) {
    const budget = new CommentBudget(seconds);
    let timer;
    const timeout = new Promise(resolve => {
        timer = setTimeout(() => {
            budget.abort.abort();
            resolve({ status: 'failed', message: `GitHub did not finish within the comment budget of ${seconds}s (comment-timeout)` });
        }, seconds * 1000);
    });
    try {
        return await Promise.race([upsert(client(target.token, budget), target, text), timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
const READ_ONLY_HELP = 'The token cannot comment on this pull request (pull requests from forks get a read-only GITHUB_TOKEN). ' +
    'The report is in the job summary and the report output. To comment anyway, upload the report as an artifact ' +
    'and post it from a workflow_run workflow, which runs with the base repository\'s token: see "Pull requests from forks" in the README.';
/**
 * The sticky comment on the pull request, when there is one to write to. A comment that cannot be written is a
 * warning, never a failure: the report is in the job summary either way.
 */
async function commentOnPullRequest(settings, markdown) {
    const pr = settings.github.pullRequest;
    if (!settings.comment.enabled || !pr || !settings.github.repository)
        return;
    const [owner, repo] = settings.github.repository.split('/');
    const outcome = settings.comment.token
        ? await upsertComment({ token: settings.comment.token, owner, repo, issueNumber: pr.number, key: settings.comment.key }, markdown, settings.comment.timeoutSeconds)
        : { status: 'failed', message: 'github-token is empty' };
    if (outcome.status === 'read-only')
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(READ_ONLY_HELP);
    else if (outcome.status === 'failed')
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`The pull request comment could not be written: ${outcome.message}. The report is in the job summary.`);
    else
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH('comment-id', outcome.id);
}


/***/ })

};
