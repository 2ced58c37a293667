extension ConsoleTemplates {
    static let apps = """
    {{> head}}
    <h1>Apps and keys</h1>
    {{#issued}}
    <section class="card issued" id="issued">
    <h2>New key for app {{app_id}}/{{sub_app_id}}: copy it now, it is not shown again</h2>
    <dl>
    <dt>SecretId</dt><dd><code id="issued-secret-id">{{secret_id}}</code></dd>
    <dt>SecretKey</dt><dd><code id="issued-secret-key">{{secret_key}}</code></dd>
    <dt>API key</dt><dd><code id="issued-api-key">{{api_key}}</code></dd>
    <dt>Webhook secret</dt><dd><code>{{webhook_secret}}</code></dd>
    </dl>
    </section>
    {{/issued}}
    <h2>Apps</h2>
    <div class="scroll"><table id="apps">
    <thead><tr><th>App</th><th>Name</th><th>Concurrency</th><th>Creates per second</th><th>Change limits</th></tr></thead>
    <tbody>
    {{#apps}}<tr><td>{{app_id}}/{{sub_app_id}}</td><td>{{name}}</td><td>{{concurrency}}</td><td>{{create_rate_per_second}}</td>
    <td><form method="post" action="/console/apps/{{app_id}}" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="sub_app_id" value="{{sub_app_id}}">
    <input name="concurrency" placeholder="concurrency" inputmode="numeric" size="6">
    <input name="create_rate_per_second" placeholder="creates/s" inputmode="decimal" size="6">
    <button type="submit">Save</button></form></td></tr>
    {{/apps}}
    </tbody></table></div>
    <form method="post" action="/console/apps" class="filters card">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input name="app_id" placeholder="App id" inputmode="numeric" required>
    <input name="sub_app_id" placeholder="Sub-app id (default: app id)" inputmode="numeric">
    <input name="name" placeholder="Name">
    <input name="concurrency" placeholder="Concurrency" inputmode="numeric">
    <input name="create_rate_per_second" placeholder="Creates per second" inputmode="decimal">
    <button type="submit">Create app</button>
    </form>
    <h2>Keys</h2>
    <div class="scroll"><table id="keys">
    <thead><tr><th>SecretId</th><th>App</th><th>Created</th><th>Expires</th><th>Revoked</th><th></th></tr></thead>
    <tbody>
    {{#keys}}<tr><td><code>{{secret_id}}</code></td><td>{{app_id}}/{{sub_app_id}}</td><td>{{created_at_shown}}</td>
    <td>{{expires_at_shown}}</td><td>{{revoked_at_shown}}</td>
    <td>{{^revoked_at}}<form method="post" action="/console/keys/{{secret_id}}/revoke"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="revoke">Revoke</button></form>{{/revoked_at}}</td></tr>
    {{/keys}}
    </tbody></table></div>
    <form method="post" action="/console/keys" class="filters card">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input name="app_id" placeholder="App id" inputmode="numeric" required>
    <input name="sub_app_id" placeholder="Sub-app id (default: app id)" inputmode="numeric">
    <button type="submit">Create key</button>
    </form>
    {{> foot}}
    """

    static let usage = """
    {{> head}}
    <h1>Usage</h1>
    <form method="get" action="/console/usage" class="filters">
    {{#filters}}
    {{#is_admin}}<input name="app_id" placeholder="App id" value="{{app_id}}" inputmode="numeric">{{/is_admin}}
    <input name="key_id" placeholder="Key (SecretId)" value="{{key_id}}">
    <input name="model" placeholder="Model" value="{{model}}">
    <input name="since" placeholder="Since (YYYY-MM-DD)" value="{{since}}">
    <input name="until" placeholder="Until (YYYY-MM-DD)" value="{{until}}">
    {{/filters}}
    <button type="submit">Show</button>
    </form>
    {{#empty}}<p>No usage recorded for these filters.</p>{{/empty}}
    {{^empty}}
    <div class="scroll"><table id="usage">
    <thead><tr><th>Day</th><th>App</th><th>Key</th><th>Model</th><th>Created</th><th>Succeeded</th><th>Failed</th><th>Aborted</th><th>Images</th><th>Upstream s</th><th>Cost</th></tr></thead>
    <tbody>
    {{#rows}}<tr><td>{{day}}</td><td>{{app_id}}/{{sub_app_id}}</td><td>{{key_id}}</td><td>{{model}}</td><td>{{created}}</td><td>{{succeeded}}</td><td>{{failed}}</td><td>{{aborted}}</td><td>{{images}}</td><td>{{upstream_seconds}}</td><td>{{cost}}</td></tr>
    {{/rows}}
    {{#totals}}<tr class="totals"><th colspan="4">Total</th><td>{{created}}</td><td>{{succeeded}}</td><td>{{failed}}</td><td>{{aborted}}</td><td>{{images}}</td><td>{{upstream_seconds}}</td><td>{{cost}}</td></tr>{{/totals}}
    </tbody></table></div>
    {{/empty}}
    {{> foot}}
    """
}
