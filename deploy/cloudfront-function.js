// Viewer request on the site's behaviours (cloudfront-js-2.0): the default one and /submit/*.
// S3 behind Origin Access Control has no index documents, so folder
// addresses are mapped here: "/bielefeld/de/" is served from
// "/bielefeld/de/index.html", and "/bielefeld/de" is redirected to the
// folder address so that relative links in the page resolve. Addresses whose
// last segment has a dot ("/assets/style.0123abcd.css") are files.
// Paths with a part that starts with a dot (site-gen deploy's record,
// ".site-gen-deployed.json") or an empty part ("//x", which a redirect
// would turn into another host) are not served.
// Canonical source: deploy/cloudfront-function.js; template.yaml holds a
// byte-for-byte copy (checked by cloudfront-function.test.mjs).
// On /submit/* it answers a body over Lambda's 6 MB request limit itself,
// with the page form-fn would show: Lambda would refuse it with a bare error.
var LAMBDA_REQUEST_LIMIT = 6 * 1024 * 1024;

function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/submit/') === 0) {
    var length = request.headers['content-length'];
    if (length && parseInt(length.value, 10) > LAMBDA_REQUEST_LIMIT) {
      return tooLarge();
    }
    return request;
  }
  // "//host" would be a redirect to another site; ".": hidden files.
  if (uri.indexOf('/.') !== -1 || uri.indexOf('//') !== -1) {
    return {
      statusCode: 404,
      statusDescription: 'Not Found',
      headers: { 'content-type': { value: 'text/plain; charset=utf-8' } },
      body: { encoding: 'text', data: 'Not found' }
    };
  }
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') !== -1) {
    return request;
  }
  var location = uri + '/';
  var query = queryString(request.querystring);
  if (query !== '') {
    location = location + '?' + query;
  }
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: {
      location: { value: location },
      'cache-control': { value: 'max-age=3600' }
    }
  };
}

// The page form-fn shows for a body larger than a form allows.
function tooLarge() {
  return {
    statusCode: 413,
    statusDescription: 'Payload Too Large',
    headers: {
      'content-type': { value: 'text/html; charset=utf-8' },
      'cache-control': { value: 'no-store' }
    },
    body: {
      encoding: 'text',
      data: '<!doctype html><html lang="de"><head><meta charset="utf-8">' +
        '<meta name="viewport" content="width=device-width, initial-scale=1">' +
        '<title>Die Dateien sind zu groß</title></head><body><main>' +
        '<h1>Die Dateien sind zu groß</h1>' +
        '<p>Ihr Antrag wurde nicht gespeichert, weil die hochgeladenen Dateien zusammen zu groß sind ' +
        '(höchstens 4 MB). Gehen Sie zurück, verkleinern Sie die Dateien oder lassen Sie einige weg, ' +
        'und senden Sie den Antrag noch einmal.</p>' +
        '<p lang="en">The files are too large together (4 MB at most): nothing was stored. Go back, ' +
        'make the files smaller or leave some out, and send the application again.</p>' +
        '</main></body></html>'
    }
  };
}

// Rebuilds the query string as the viewer sent it: CloudFront hands the
// values over still percent-encoded, so they are joined, not encoded again.
function queryString(parameters) {
  var parts = [];
  var names = Object.keys(parameters || {});
  for (var i = 0; i < names.length; i++) {
    var name = names[i];
    var parameter = parameters[name];
    var values = parameter.multiValue ? parameter.multiValue : [parameter];
    for (var j = 0; j < values.length; j++) {
      var value = values[j].value;
      parts.push(value === '' ? name : name + '=' + value);
    }
  }
  return parts.join('&');
}
