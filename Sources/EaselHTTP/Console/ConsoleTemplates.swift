/// The console's Mustache templates, kept as constants of the module rather than package resources so that the one
/// `easel` binary is the whole console: SwiftPM's `Bundle.module` on Linux stops the process when the resource
/// bundle is not beside the binary (a copied or installed binary, a slim container image). Values are only ever
/// inserted with `{{…}}` (HTML-escaped); `head` and `foot` are partials every page includes.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "head": head, "foot": foot, "login": login, "error": error, "overview": overview, "overview_live": overviewLive,
        "tasks": tasks, "rows": rows, "task": task, "task_live": taskLive, "deliveries": deliveries, "apps": apps,
        "usage": usage,
    ]

    static let head = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}}{{^title}}Easel{{/title}} · Easel console</title>
    <link rel="stylesheet" href="/console/static/console.css">
    <script src="/console/static/console.js" defer></script>
    </head>
    <body>
    <header>
    <a class="brand" href="/console">Easel</a>
    {{#csrf}}
    <nav>
    <a href="/console"{{#nav_overview}} class="here"{{/nav_overview}}>Overview</a>
    <a href="/console/tasks"{{#nav_tasks}} class="here"{{/nav_tasks}}>Tasks</a>
    <a href="/console/deliveries"{{#nav_deliveries}} class="here"{{/nav_deliveries}}>Deliveries</a>
    <a href="/console/usage"{{#nav_usage}} class="here"{{/nav_usage}}>Usage</a>
    {{#is_admin}}<a href="/console/apps"{{#nav_apps}} class="here"{{/nav_apps}}>Apps and keys</a>{{/is_admin}}
    </nav>
    <form method="post" action="/console/logout" class="logout">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <span class="scope">{{scope}}</span> <button type="submit">Sign out</button>
    </form>
    {{/csrf}}
    </header>
    <main>

    """

    static let foot = """

    </main>
    </body>
    </html>

    """

    static let login = """
    {{> head}}
    <h1>Sign in</h1>
    {{#failed}}<p class="error" id="login-error">That key cannot sign in.</p>{{/failed}}
    <form method="post" action="/console/login" class="card login">
    <label for="key">Admin key, or an app's API key (sk-easel-…) for that app's view</label>
    <input type="password" id="key" name="key" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
    </form>
    {{> foot}}
    """

    static let error = """
    {{> head}}
    <h1>{{code}}</h1>
    <p class="error" id="error-message">{{message}}</p>
    <p><a href="/console">Back to the overview</a></p>
    {{> foot}}
    """

    static let overview = """
    {{> head}}
    <h1>Overview</h1>
    <div id="overview" data-live-events="/console/events" data-live-src="/console/summary">
    {{> overview_live}}
    </div>
    {{> foot}}
    """

    static let overviewLive = """
    <section class="figures">
    <div class="card"><span class="figure" id="fig-waiting">{{waiting}}</span> waiting</div>
    <div class="card"><span class="figure" id="fig-running">{{running}}</span> running</div>
    <div class="card"><span class="figure" id="fig-hour">{{hour}}</span> finished in the last hour</div>
    <div class="card"><span class="figure" id="fig-day">{{day}}</span> finished in the last day</div>
    <div class="card"><span class="figure" id="fig-success">{{success_rate}}</span> succeeded (day)</div>
    </section>
    <h2>Finished per hour, last 24 hours</h2>
    <svg class="chart" viewBox="0 0 480 110" role="img" aria-label="Tasks finished per hour">
    {{#bars}}<rect x="{{x}}" y="{{y}}" width="16" height="{{height}}"><title>{{count}} finished {{hours_ago}} h ago</title></rect>{{/bars}}
    <line x1="0" y1="100" x2="480" y2="100"></line>
    </svg>
    <h2>Models (last day)</h2>
    {{#no_models}}<p>No task finished in the last day.</p>{{/no_models}}
    {{^no_models}}
    <div class="scroll"><table>
    <thead><tr><th>Model</th><th>Finished</th><th>Succeeded</th><th>Per hour</th><th>Latency</th><th>Run time</th></tr></thead>
    <tbody>
    {{#models}}<tr><td>{{model}}</td><td>{{count}}</td><td>{{succeeded}}</td><td>{{per_hour}}</td><td>{{latency}}</td><td>{{run}}</td></tr>{{/models}}
    </tbody></table></div>
    {{/no_models}}
    """

    static let tasks = """
    {{> head}}
    <h1>Tasks</h1>
    <form method="get" action="/console/tasks" class="filters">
    {{#filters}}
    <input name="app_id" placeholder="App id" value="{{app_id}}" inputmode="numeric">
    <select name="status">
    <option value="">Any state</option>
    <option value="waiting"{{#is_waiting}} selected{{/is_waiting}}>waiting</option>
    <option value="processing"{{#is_processing}} selected{{/is_processing}}>processing</option>
    <option value="succeeded"{{#is_succeeded}} selected{{/is_succeeded}}>succeeded</option>
    <option value="failed"{{#is_failed}} selected{{/is_failed}}>failed</option>
    <option value="aborted"{{#is_aborted}} selected{{/is_aborted}}>aborted</option>
    </select>
    <input name="model" placeholder="Model (GEM-3.0)" value="{{model}}">
    <select name="dialect">
    <option value="">Any dialect</option>
    <option value="vod"{{#dialect_vod}} selected{{/dialect_vod}}>vod</option>
    <option value="mps"{{#dialect_mps}} selected{{/dialect_mps}}>mps</option>
    <option value="rest"{{#dialect_rest}} selected{{/dialect_rest}}>rest</option>
    <option value="openai"{{#dialect_openai}} selected{{/dialect_openai}}>openai</option>
    </select>
    <select name="range">
    <option value="">Any time</option>
    <option value="1h"{{#range_1h}} selected{{/range_1h}}>Last hour</option>
    <option value="24h"{{#range_24h}} selected{{/range_24h}}>Last day</option>
    <option value="7d"{{#range_7d}} selected{{/range_7d}}>Last week</option>
    <option value="30d"{{#range_30d}} selected{{/range_30d}}>Last 30 days</option>
    </select>
    <input name="task_id_prefix" placeholder="TaskId starts with" value="{{task_id_prefix}}">
    <input name="session_id_prefix" placeholder="SessionId starts with" value="{{session_id_prefix}}">
    {{/filters}}
    <button type="submit">Filter</button>
    </form>
    <div class="scroll"><table id="tasks">
    <thead><tr><th>Task</th><th>State</th><th>App</th><th>Model</th><th>Dialect</th><th>Progress</th><th>Created</th></tr></thead>
    <tbody id="task-rows" data-live-events="/console/events" data-live-src="/console/rows?{{rows_query}}">
    {{> rows}}
    </tbody></table></div>
    {{#next_query}}<p><a id="next-page" href="/console/tasks?{{next_query}}">Older tasks →</a></p>{{/next_query}}
    {{> foot}}
    """

    static let rows = """
    {{#tasks}}<tr><td><a href="/console/tasks/{{task_id}}">{{task_id}}</a></td><td><span class="badge {{status_class}}">{{label}}</span> {{status}}</td><td>{{app_id}}/{{sub_app_id}}</td><td>{{model}}</td><td>{{dialect}}</td><td>{{progress}}%</td><td>{{created_at_shown}}</td></tr>
    {{/tasks}}{{#empty}}<tr><td colspan="7">No task matches.</td></tr>{{/empty}}
    """
}
