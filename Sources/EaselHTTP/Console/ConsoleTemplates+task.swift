extension ConsoleTemplates {
    static let task = """
    {{> head}}
    {{#task}}
    <h1>Task <code>{{task_id}}</code></h1>
    <div id="task-live" data-live-events="/console/tasks/{{task_id}}/events" data-live-src="/console/tasks/{{task_id}}/live">
    {{> task_live}}
    </div>
    <h2>Input</h2>
    <dl class="card">
    <dt>Prompt</dt><dd id="prompt">{{prompt}}</dd>
    {{#negative_prompt}}<dt>Negative prompt</dt><dd>{{negative_prompt}}</dd>{{/negative_prompt}}
    {{#session_id}}<dt>SessionId</dt><dd>{{session_id}}</dd>{{/session_id}}
    {{#session_context}}<dt>SessionContext</dt><dd id="session-context">{{session_context}}</dd>{{/session_context}}
    </dl>
    {{#has_inputs}}<h3>Reference images</h3>{{/has_inputs}}
    <div class="thumbs">
    {{#inputs}}<figure>{{#thumb}}<img src="{{thumb}}" alt="reference image" class="thumb">{{/thumb}}<figcaption>{{label}}</figcaption></figure>{{/inputs}}
    </div>
    <details><summary>Request as validated</summary><pre>{{request_json}}</pre></details>
    {{/task}}
    {{> foot}}
    """

    static let taskLive = """
    {{#task}}
    <p><span class="badge {{status_class}}" id="task-state">{{label}}</span> <span id="task-status">{{status}}</span>
    · app {{app_id}}/{{sub_app_id}} · {{model}} · {{dialect}}{{#key_id}} · key {{key_id}}{{/key_id}}</p>
    {{#is_waiting}}<p>Queue position: <span id="queue-position">{{queue_position}}</span></p>
    <form method="post" action="/console/tasks/{{task_id}}/abort"><input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" id="abort">Abort this task</button></form>{{/is_waiting}}
    <progress max="100" value="{{progress}}">{{progress}}%</progress> <span id="progress">{{progress}}%</span>
    <ol class="timeline">
    <li>created {{created_at_shown}}</li>
    <li>started {{started_at_shown}}{{^started_at_shown}}–{{/started_at_shown}}</li>
    <li>finished {{finished_at_shown}}{{^finished_at_shown}}–{{/finished_at_shown}}</li>
    </ol>
    {{#error_code}}<p class="error" id="task-error"><code>{{error_code}}</code> {{error_message}}</p>{{/error_code}}
    {{#has_outputs}}<h2>Output</h2>{{/has_outputs}}
    <div class="outputs">
    {{#outputs}}<figure><a href="{{url}}"><img src="{{url}}" alt="output image" class="output"></a>
    <figcaption>{{width}}×{{height}} · {{content_type}} · {{size_shown}}</figcaption></figure>{{/outputs}}
    </div>
    <h2>Deliveries</h2>
    {{^has_deliveries}}<p>No notification for this task.</p>{{/has_deliveries}}
    {{#has_deliveries}}<div class="scroll"><table><thead><tr><th>Kind</th><th>URL</th><th>State</th><th>Attempts</th><th>Last error</th><th></th></tr></thead><tbody>{{/has_deliveries}}
    {{#deliveries}}<tr><td>{{kind}}</td><td>{{url}}</td><td>{{status}}</td><td>{{attempts}}</td><td>{{last_error}}</td><td>{{#is_dead}}<form method="post" action="/console/deliveries/{{id}}/replay"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Replay</button></form>{{/is_dead}}</td></tr>{{/deliveries}}
    {{#has_deliveries}}</tbody></table></div>{{/has_deliveries}}
    {{/task}}
    """

    static let deliveries = """
    {{> head}}
    <h1>Deliveries</h1>
    <p class="tabs"><a href="/console/deliveries"{{^status_dead}} class="here"{{/status_dead}}>All</a>
    <a href="/console/deliveries?status=dead"{{#status_dead}} class="here"{{/status_dead}}>Dead letters</a></p>
    {{#empty}}<p>No delivery.</p>{{/empty}}
    {{^empty}}
    <div class="scroll"><table id="deliveries">
    <thead><tr><th>Task</th><th>Kind</th><th>URL</th><th>State</th><th>Attempts</th><th>Last error</th><th>Created</th><th></th></tr></thead>
    <tbody>
    {{#deliveries}}<tr data-delivery="{{id}}"><td><a href="/console/tasks/{{task_id}}">{{task_id}}</a></td><td>{{kind}}</td><td>{{url}}</td>
    <td class="delivery-status">{{status}}</td><td>{{attempts}}</td><td>{{last_error}}</td><td>{{created_at_shown}}</td>
    <td>{{#is_dead}}<form method="post" action="/console/deliveries/{{id}}/replay"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="replay">Replay</button></form>{{/is_dead}}</td></tr>
    {{/deliveries}}
    </tbody></table></div>
    {{/empty}}
    {{> foot}}
    """
}
